import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { TestPlatform, startPlatform } from './support/platform';

const ROOT = resolve(__dirname, '..');
// page.evaluate bodies run in the browser; the project compiles without the DOM library.
declare const document: any;
declare const window: any;

/** The topology page (P1) in headless Debian Chromium: it draws the graph of a seeded system, fetched with the person's session cookie (issue 16: no token in the URL). */
describe('CMDB topology page in headless Chromium', () => {
  let p: TestPlatform;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    const executablePath = execFileSync('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    p = await startPlatform({ worker: false });
    const viewer = await p.call('POST', '/users', p.adminToken, { username: 'wang.topology', displayName: '王调度', roles: ['dispatcher'], password: 'Topology-2026!' });
    if (viewer.status !== 201) throw new Error(JSON.stringify(viewer.body));
    const engineer = await p.user(['engineer'], '李工');
    const post = async (path: string, body: unknown) => {
      const res = await p.call('POST', path, engineer.token, body);
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const srv = await post('/cmdb/items', { type: 'server', name: 'pacs-srv', displayName: 'PACS 服务器', attributes: { os: 'Windows Server', ip: '10.8.2.10' } });
    const app = await post('/cmdb/items', { type: 'application_module', name: 'pacs-viewer', displayName: 'PACS 影像调阅', lifecycleStatus: 'maintenance' });
    await post('/cmdb/relations', { type: 'runs_on', sourceId: app.id, targetId: srv.id });
    await post('/cmdb/relations', { type: 'depends_on', sourceId: 'SYS-11', targetId: app.id });
    await post('/cmdb/relations', { type: 'depends_on', sourceId: 'SYS-10', targetId: 'SYS-11' });
    profile = mkdtempSync(join(tmpdir(), 'wardline-chromium-'));
    // A fresh profile each run (Playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1200, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await p?.stop();
  });

  it('draws the seeded PACS system with its neighbours, zh-CN labels, and shows details on click', async () => {
    // The browser context's request client shares its cookie jar: this is the console's sign-in, without the form.
    const signedIn = await browser.request.post(`${p.baseUrl}/auth/sign-in`, { data: { username: 'wang.topology', password: 'Topology-2026!' } });
    expect(signedIn.status()).toBe(200);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${p.baseUrl}/cmdb/topology?item=SYS-11&depth=2`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const graph = await page.evaluate(() => {
      const cy = (window as any).cy;
      return { nodes: cy.nodes().map((n: any) => n.data('label')), edges: cy.edges().length, drawn: cy.nodes().filter((n: any) => n.renderedPosition().x > 0).length };
    });
    expect(graph.nodes).toHaveLength(4);
    expect(graph.drawn).toBe(4);
    expect(graph.edges).toBe(3);
    expect(graph.nodes.join('|')).toContain('放射科PACS/RIS系统\n业务系统 · 运行中');
    expect(graph.nodes.join('|')).toContain('PACS 影像调阅\n应用模块 · 维护中');
    expect(await page.locator('#cy canvas').count()).toBeGreaterThan(0);
    expect(await page.textContent('#status')).toBe('4 个配置项，3 条关系');

    // Clicking the server node shows its details.
    const at = await page.evaluate(() => {
      const cy = (window as any).cy;
      const n = cy.nodes().filter((x: any) => x.data('label').startsWith('PACS 服务器'))[0];
      const box = document.getElementById('cy').getBoundingClientRect();
      return { x: box.left + n.renderedPosition().x, y: box.top + n.renderedPosition().y };
    });
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() => document.getElementById('details').textContent.includes('PACS 服务器'));
    const details = await page.textContent('#details');
    expect(details).toContain('操作系统Windows Server');
    expect(details).toContain('IP 地址10.8.2.10');
    mkdirSync(join(ROOT, '.data', 'test'), { recursive: true });
    await page.screenshot({ path: join(ROOT, '.data', 'test', 'topology.png') });
    expect(errors).toEqual([]);
  });

  it('shows nothing without a session, and ignores a token an old link carries in its fragment', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${p.baseUrl}/cmdb/topology?item=SYS-11`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await page.textContent('#status')).toContain('未登录');
    expect(await page.getAttribute('#status a', 'href')).toContain('/#/sign-in');
    const old = await browser.newPage();
    await old.goto(`${p.baseUrl}/cmdb/topology?item=SYS-11#token=${p.adminToken}`);
    await old.waitForFunction(() => document.body.dataset.state !== 'loading');
    expect(await old.textContent('#status')).toContain('未登录');
    expect(old.url()).not.toContain(p.adminToken);
  });
});
