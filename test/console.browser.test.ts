import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { loadSignInConfig } from '../src/infra/sign-in-config';
import { RunningSlapd, startSlapd } from '../src/infra/testing/slapd';
import { TestPlatform, startPlatform } from './support/platform';

/**
 * The web console (issue 16) in headless Debian Chromium against the real stack: the bundle `npm run build` made
 * (web/dist), served by the API at `/`, signed in through the sign-in form (cookie session, CSRF header), every page
 * talking to the public API only. Screenshots of the key pages go to test-output/console/ for a person to look at.
 */
const ROOT = resolve(__dirname, '..');
const SHOTS = join(ROOT, 'test-output', 'console');
const PASSWORD = 'Console-2026!';
const MAX_FAILURES = 4;

jest.setTimeout(300_000);

describe('web console in a real browser', () => {
  let p: TestPlatform;
  let ldap: RunningSlapd;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let engineerId = '';

  const person = async (username: string, displayName: string, roles: string[]) => {
    const res = await p.call('POST', '/users', p.adminToken, { username, displayName, roles, password: PASSWORD });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body as { id: string };
  };

  /** A fresh browser (own cookies) at a desktop or phone size, with page errors collected. */
  const open = async (viewport: { width: number; height: number } = { width: 1366, height: 850 }, mobile = false) => {
    const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'zh-CN', timezoneId: 'America/New_York' });
    contexts.push(context);
    const page = await context.newPage();
    // Each step waits for what the real stack answers (a workflow Update per action) on a machine shared by many test runs.
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    return { page, errors };
  };

  const signIn = async (page: Page, username: string, password: string, directory = false) => {
    await page.goto(`${p.baseUrl}/`);
    await page.waitForURL(/#\/sign-in/);
    if (directory) await page.getByText('医院域账号（AD/LDAP）').click();
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    await page.getByTestId('sign-in-submit').click();
  };

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: `npm run build` builds the console (npm test does it first)');
    mkdirSync(SHOTS, { recursive: true });
    const executablePath = execFileSync('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    ldap = await startSlapd({
      people: [{ uid: 'zhou.dir', displayName: '周域', password: 'Dir-secret-9' }],
      groups: [{ cn: 'it-review', members: ['zhou.dir'] }],
    });
    const signIn = loadSignInConfig(
      {
        WARDLINE_SIGN_IN_MAX_FAILURES: String(MAX_FAILURES),
        WARDLINE_SIGN_IN_LOCK_SECONDS: '600',
        WARDLINE_LDAP_URL: ldap.url,
        WARDLINE_LDAP_BASE_DN: ldap.baseDn,
        WARDLINE_LDAP_BIND_DN: ldap.bindDn,
        WARDLINE_LDAP_BIND_PASSWORD: ldap.bindPassword,
      },
      'http://localhost',
    );
    p = await startPlatform({ config: { signIn } });
    await person('wang.dispatch', '王调度', ['dispatcher']);
    engineerId = (await person('li.eng', '李工', ['engineer'])).id;
    const shift = await p.call('POST', '/roster/shifts', p.adminToken, { userId: engineerId, startsAt: new Date(Date.now() - 3_600_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() });
    if (shift.status !== 201) throw new Error(JSON.stringify(shift.body));
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await p?.stop();
    await ldap?.stop();
  });

  let incidentId = '';

  it('serves the console at / without shadowing the API, /docs or /health', async () => {
    const page = await fetch(`${p.baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"></div>');
    // A console path typed without the '#' is sent to it; an API path asked for by a browser is still the API's.
    const typed = await fetch(`${p.baseUrl}/board`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(typed.status).toBe(302);
    expect(typed.headers.get('location')).toBe('/#/board');
    const apiPath = await fetch(`${p.baseUrl}/incidents`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(apiPath.status).toBe(401);
    expect((await fetch(`${p.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${p.baseUrl}/docs-json`)).status).toBe(200);
    const docs = await fetch(`${p.baseUrl}/docs`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect([200, 301]).toContain(docs.status);
    expect((await fetch(`${p.baseUrl}/assets/nothing-here.js`)).status).toBe(404);
  });

  it('a dispatcher signs in, sees the board, opens an incident from a phone call and lands on it', async () => {
    const { page, errors } = await open();
    await signIn(page, 'wang.dispatch', PASSWORD);
    await page.getByTestId('board').waitFor();
    // The engineer on duty is named (loaded beside the board).
    await page.locator('[data-testid="on-duty"]:has-text("李工")').waitFor();
    await shot(page, 'sign-in-done-board-empty');

    await page.getByTestId('open-incident').click();
    await page.getByTestId('open-form').waitFor();
    await page.locator('#systemId').click();
    await page.locator('#systemId').fill('SYS-11');
    await page.keyboard.press('Enter');
    await page.getByTestId('open-title').fill('PACS 影像无法调阅');
    await page.getByTestId('open-description').fill('放射科三台工作站打开影像报错');
    await page.getByTestId('open-reporter').fill('李护士长');
    await page.getByTestId('open-department').fill('放射科');
    await shot(page, 'open-incident-form');
    await page.getByTestId('open-submit').click();

    await page.getByTestId('incident-page').waitFor();
    const number = (await page.getByTestId('incident-number').textContent())!;
    expect(number).toMatch(/^INC-/);
    expect(await page.getByTestId('incident-state').textContent()).toBe('待响应');
    const [row] = await p.ds.query(`SELECT id, channel, assignee_name, reporter_department FROM incidents WHERE number = $1`, [number]);
    expect(row).toMatchObject({ channel: 'phone', assignee_name: '李工', reporter_department: '放射科' });
    incidentId = row.id;
    // The dispatcher may not acknowledge (the engineer's act); the page offers what the workflow allows them.
    await page.getByTestId('actions').waitFor();
    expect(await page.getByTestId('action-acknowledge').count()).toBe(0);
    expect(await page.getByTestId('action-cancel').count()).toBe(1);
    await page.getByTestId('timeline').getByText('李工').first().waitFor();
    await shot(page, 'incident-dispatcher');

    // Back on the board, the incident counts down on its three clocks.
    await page.goto(`${p.baseUrl}/#/board`);
    await page.getByRole('link', { name: number }).waitFor();
    const respond = page.locator('[data-clock="响应"]').first();
    expect(await respond.getAttribute('data-sla')).toBe('ok');
    const first = await respond.textContent();
    await page.waitForTimeout(1_200);
    expect(await respond.textContent()).not.toBe(first);
    await shot(page, 'board');

    // An incident reported 40 minutes ago: each clock's colour follows the share of its time used (50 / 75 / 90 %).
    const desk = await p.user(['dispatcher']);
    const reportedAt = Date.now() - 40 * 60_000;
    const late = await p.call('POST', '/incidents', desk.token, { systemId: 'SYS-10', title: 'HIS 挂号慢', description: '门诊挂号卡顿', reporter: { name: '挂号处', department: '门诊' }, priority: 'P2', channel: 'phone', reportedAt: new Date(reportedAt).toISOString() });
    expect(late.status).toBe(201);
    await page.reload();
    const lateRow = page.locator('tr', { has: page.getByRole('link', { name: late.body.number }) });
    await lateRow.waitFor();
    const expected = (due: string) => {
      const f = (Date.now() - reportedAt) / (new Date(due).getTime() - reportedAt);
      if ([0.5, 0.75, 0.9, 1].some((x) => Math.abs(f - x) < 0.02)) return null; // too close to a threshold to say
      return f >= 1 ? 'breached' : f >= 0.9 ? 'critical' : f >= 0.75 ? 'three-quarters' : f >= 0.5 ? 'half' : 'ok';
    };
    let checked = 0;
    for (const [clock, due] of [['响应', late.body.deadlines.respond], ['到场', late.body.deadlines.onSite], ['修复', late.body.deadlines.repair]] as const) {
      const want = expected(due);
      if (!want) continue;
      expect({ clock, level: await lateRow.locator(`[data-clock="${clock}"]`).getAttribute('data-sla') }).toEqual({ clock, level: want });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    await shot(page, 'board-colours');

    // English at a click; the choice is remembered.
    await page.getByTestId('lang-switch').click();
    await page.getByText('Dispatch board: open incidents').waitFor();
    await page.reload();
    await page.getByText('Dispatch board: open incidents').waitFor();
    await page.getByTestId('lang-switch').click();
    expect(errors).toEqual([]);
  });

  it('an engineer on a phone-sized screen acknowledges, arrives and resolves the incident', async () => {
    const { page, errors } = await open({ width: 390, height: 844 }, true);
    await signIn(page, 'li.eng', PASSWORD);
    await page.getByTestId('board').waitFor();
    // Phone width: cards instead of a table.
    const number = (await p.ds.query(`SELECT number FROM incidents WHERE id = $1`, [incidentId]))[0].number;
    await page.getByTestId(`card-${number}`).waitFor();
    await shot(page, 'board-phone');
    // The menu folds away on a phone and opens from the header.
    expect(await page.getByRole('menuitem', { name: /维护记录/ }).isVisible()).toBe(false);
    await page.getByTestId('menu-toggle').click();
    await page.getByRole('menuitem', { name: /维护记录/ }).waitFor();
    await shot(page, 'menu-phone');
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId(`card-${number}`).getByRole('link').click();
    await page.getByTestId('incident-page').waitFor();

    for (const [action, state] of [
      ['acknowledge', '已响应'],
      ['arrive', '已到场'],
    ] as const) {
      await page.getByTestId(`action-${action}`).click();
      await page.getByTestId(`confirm-${action}`).click();
      await page.locator(`[data-testid="incident-state"]:text-is("${state}")`).waitFor();
    }
    await page.getByTestId('action-resolve').click();
    await page.getByTestId('dialog-resolve').waitFor();
    await page.getByTestId('field-cause').fill('PACS 前置机磁盘写满');
    await page.getByTestId('field-fix').fill('清理过期缓存并扩容 200 GB');
    await page.locator('#category').click();
    await page.getByText('数据修复 / data repair').click();
    await shot(page, 'resolve-phone');
    await page.getByTestId('dialog-resolve-ok').click();
    await page.locator('[data-testid="incident-state"]:text-is("已修复待确认")').waitFor();
    const [row] = await p.ds.query(`SELECT state, acknowledged_at IS NOT NULL AS acked, on_site_at IS NOT NULL AS arrived, resolution FROM incidents WHERE id = $1`, [incidentId]);
    expect(row).toMatchObject({ state: 'resolved', acked: true, arrived: true });
    expect(row.resolution).toMatchObject({ cause: 'PACS 前置机磁盘写满', category: 'data_repair' });
    expect(errors).toEqual([]);
    // The respond clock stopped in time.
    expect(await page.locator('[data-clock="响应"]').first().getAttribute('data-sla')).toBe('met');
    await shot(page, 'incident-phone-resolved');
    expect(errors).toEqual([]);
  });

  it('a reviewer sees each statement classified, sends back, sees the diff and approves; the submitter may not approve', async () => {
    const submitter = await person('zhao.sub', '赵提交', ['engineer', 'reviewer']);
    await person('sun.review', '孙审核', ['reviewer']);
    const submitterToken = (await p.call('POST', `/users/${submitter.id}/tokens`, p.adminToken, { name: 'test' })).body.token as string;
    const hour = 3_600_000;
    const created = await p.call('POST', '/changes', submitterToken, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '清理 PACS 旧日志表',
      reason: '释放表空间',
      dialect: 'oracle',
      forwardScript: 'DROP TABLE PACS.OLD_LOG;\nUPDATE PACS.EXAM_REG SET STATUS = 9 WHERE STATUS IS NULL;',
      rollbackScript: '',
      objects: [{ type: 'table', name: 'PACS.OLD_LOG', action: 'drop' }],
      risk: 'high',
      window: { start: new Date(Date.now() + hour).toISOString(), end: new Date(Date.now() + 3 * hour).toISOString() },
    });
    expect(created.status).toBe(201);
    const changeId = created.body.id as string;

    const { page, errors } = await open();
    await signIn(page, 'sun.review', PASSWORD);
    await page.getByTestId('changes').waitFor();
    await page.getByRole('link', { name: created.body.number }).click();
    await page.getByTestId('change-page').waitFor();
    // Each statement of the SQL carries the classifier's reading: the DROP is destructive DDL, the UPDATE is DML.
    const first = page.getByTestId('statement-1');
    expect(await first.getAttribute('data-kind')).toBe('ddl');
    expect(await first.getAttribute('data-destructive')).toBe('true');
    expect(await first.textContent()).toContain('破坏性');
    expect(await page.getByTestId('statement-2').getAttribute('data-kind')).toBe('dml');
    expect(await page.getByTestId('statement-2').getAttribute('data-destructive')).toBe('false');
    await shot(page, 'change-review');
    await page.getByTestId('review-comment').fill('请先改名备份，不要直接删除');
    await page.getByTestId('review-send-back').click();
    await page.locator('[data-testid="change-state"]:text-is("已退回")').waitFor();

    const revised = await p.call('POST', `/changes/${changeId}/revisions`, submitterToken, {
      dialect: 'oracle',
      forwardScript: 'ALTER TABLE PACS.OLD_LOG RENAME TO OLD_LOG_BAK;\nUPDATE PACS.EXAM_REG SET STATUS = 9 WHERE STATUS IS NULL;',
      rollbackScript: 'ALTER TABLE PACS.OLD_LOG_BAK RENAME TO OLD_LOG;',
      objects: [{ type: 'table', name: 'PACS.OLD_LOG', action: 'alter' }],
      risk: 'medium',
    });
    expect(revised.status).toBe(200);

    // The submitter holds the reviewer role too, yet is not offered the review, and the API refuses it (S4).
    const sub = await open();
    await signIn(sub.page, 'zhao.sub', PASSWORD);
    await sub.page.getByTestId('board').waitFor();
    await sub.page.goto(`${p.baseUrl}/#/changes/${changeId}`);
    await sub.page.getByTestId('separation-of-duties').waitFor();
    expect(await sub.page.getByTestId('review-approve').count()).toBe(0);
    await shot(sub.page, 'change-submitter-cannot-review');
    const refused = await p.call('POST', `/changes/${changeId}/review`, submitterToken, { decision: 'approve' });
    expect(refused.status).toBe(403);

    await page.reload();
    await page.locator('[data-testid="change-state"]:text-is("审核中")').waitFor();
    await page.getByTestId('diff-tab').click();
    const diff = await page.getByTestId('diff').first().textContent();
    expect(diff).toContain('- DROP TABLE PACS.OLD_LOG;');
    expect(diff).toContain('+ ALTER TABLE PACS.OLD_LOG RENAME TO OLD_LOG_BAK;');
    await shot(page, 'change-diff');
    await page.getByTestId('review-approve').click();
    await page.locator('[data-testid="change-state"]:text-is("已批准")').waitFor();
    expect(await page.getByTestId('approvals').textContent()).toContain('孙审核');
    const [row] = await p.ds.query(`SELECT state FROM changes WHERE id = $1`, [changeId]);
    expect(row.state).toBe('approved');
    // The submitter's page now offers what follows, as the workflow allows it: not the implementation before the
    // window opens (in an hour), but the cancellation.
    await sub.page.reload();
    await sub.page.getByTestId('change-actions').waitFor();
    expect(await sub.page.getByTestId('change-cancel').count()).toBe(1);
    expect(await sub.page.getByTestId('change-implement').count()).toBe(0);
    expect([...errors, ...sub.errors]).toEqual([]);
  });

  it('a vendor contact sees only its own vendor’s escalation and acknowledges it on a phone', async () => {
    const vendorUser = await person('wu.vendor', '吴原厂', ['vendor_contact']);
    const otherUser = await person('zheng.other', '郑他厂', ['vendor_contact']);
    const dispatcher = await p.user(['dispatcher']);
    const engineer = await p.user(['engineer']);
    const escalate = async (system: string, vendorName: string, contactUserId: string) => {
      const vendor = await p.call('POST', '/vendors', p.adminToken, { name: vendorName, systems: [system] });
      expect(vendor.status).toBe(201);
      expect((await p.call('POST', `/vendors/${vendor.body.id}/contacts`, p.adminToken, { name: vendorName.slice(0, 2) + '工', role: '技术支持', level: 1, userId: contactUserId, phone: '13800138000' })).status).toBe(201);
      const opened = await p.call('POST', '/incidents', dispatcher.token, { systemId: system, title: `${system} 故障`, description: '需要原厂', reporter: { name: '护士', department: '门诊' }, priority: 'P2', channel: 'phone' });
      expect(opened.status).toBe(201);
      const res = await p.call('POST', `/incidents/${opened.body.number}/escalations`, engineer.token, { reason: '现场无法定位，需要原厂专家' });
      expect(res.status).toBe(200);
      return opened.body.number as string;
    };
    const mine = await escalate('SYS-11', '影像原厂', vendorUser.id);
    const theirs = await escalate('SYS-10', '另一原厂', otherUser.id);

    const { page, errors } = await open({ width: 390, height: 844 }, true);
    await signIn(page, 'wu.vendor', PASSWORD);
    await page.waitForURL(/#\/escalations/);
    const card = page.getByTestId(`escalation-${mine}`);
    await card.waitFor();
    expect(await page.getByTestId(`escalation-${theirs}`).count()).toBe(0);
    expect(await card.textContent()).toContain('现场无法定位，需要原厂专家');
    expect(await card.getAttribute('data-status')).toBe('awaiting_ack');
    await shot(page, 'vendor-escalations-phone');
    await card.getByTestId('escalation-acknowledge').click();
    await page.getByTestId('escalation-note').fill('工程师 30 分钟内远程接入');
    await page.getByTestId('escalation-ack-ok').click();
    await page.locator(`[data-testid="escalation-${mine}"][data-status="acknowledged"]`).waitFor();
    const [row] = await p.ds.query(`SELECT e.status, e.acknowledged_by FROM escalations e JOIN incidents i ON i.id = e.incident_id WHERE i.number = $1`, [mine]);
    expect(row.status).toBe('acknowledged');
    expect(row.acknowledged_by).toContain('吴原厂');
    await shot(page, 'vendor-acknowledged-phone');
    expect(errors).toEqual([]);
  });

  it('a project manager opens every list page from the menu without an error; a vendor contact is kept to its own pages', async () => {
    await person('he.pm', '何经理', ['project_manager']);
    const { page, errors } = await open();
    await signIn(page, 'he.pm', PASSWORD);
    await page.getByTestId('board').waitFor();
    const pages: [string, string][] = [
      ['/records', 'records'],
      ['/modifications', 'modifications'],
      ['/vendors', 'vendors'],
      ['/roster', 'roster'],
      ['/cmdb', 'cmdb'],
      ['/inbox', 'inbox'],
      ['/notifications', 'delivery-log'],
      ['/calendar', 'calendar-policy'],
      ['/users', 'users'],
      ['/jobs', 'job-runs'],
      ['/inspection-reports', 'inspection-reports'],
      ['/problems', 'problems'],
      ['/reports', 'reports'],
    ];
    for (const [path, testId] of pages) {
      await page.goto(`${p.baseUrl}/#${path}`);
      await page.getByTestId(testId).waitFor();
      // Lists loaded (no spinner left) and nothing refused or broken.
      await page.waitForLoadState('networkidle');
      expect({ path, apiErrors: await page.getByTestId('api-error').count(), pageErrors: await page.getByTestId('page-error').count() }).toEqual({ path, apiErrors: 0, pageErrors: 0 });
      await shot(page, `page-${testId}`);
    }
    // The satisfaction chart is drawn (ECharts on a canvas).
    await page.goto(`${p.baseUrl}/#/reports`);
    await page.getByTestId('satisfaction-chart').locator('canvas').waitFor();
    // The records page lists the incident resolved earlier, awaiting both confirmations.
    await page.goto(`${p.baseUrl}/#/records`);
    await page.getByTestId('records').getByText('INC-').first().waitFor();
    // From the record to its incident: the project manager confirms the maintenance record for the vendor's side (S14).
    await page.getByTestId('records').getByRole('link', { name: /^INC-/ }).first().click();
    await page.getByTestId('incident-page').waitFor();
    await page.getByTestId('record-confirm-vendor').click();
    await page.locator('[data-testid="record-vendor"]:has-text("何经理")').waitFor();
    expect(await page.getByTestId('record-hospital').textContent()).toBe('待确认');
    expect(await page.getByTestId('record-confirm-hospital').count()).toBe(0);
    await shot(page, 'incident-record-vendor-confirmed');
    // The roster names the engineer on duty; the calendar says whether holidays are loaded.
    await page.goto(`${p.baseUrl}/#/roster`);
    await page.getByTestId('roster').getByText('李工').first().waitFor();
    // The project manager (only) adds duty shifts.
    await page.getByTestId('add-shift').click();
    await page.getByText('添加值班班次').waitFor();
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);

    await person('lin.vendor', '林原厂', ['vendor_contact']);
    const vendor = await open({ width: 390, height: 844 }, true);
    await signIn(vendor.page, 'lin.vendor', PASSWORD);
    await vendor.page.getByTestId('escalations').waitFor();
    await vendor.page.goto(`${p.baseUrl}/#/board`);
    await vendor.page.getByTestId('forbidden').waitFor();
    expect(vendor.errors).toEqual([]);
  });

  it('signs out from the menu, and a session that timed out sends the page back to sign-in saying why', async () => {
    await person('feng.out', '冯调度', ['dispatcher']);
    const { page, errors } = await open();
    await signIn(page, 'feng.out', PASSWORD);
    await page.getByTestId('board').waitFor();
    // A platform account changes its own password from the same menu.
    await page.getByTestId('user-menu').hover();
    await page.getByText('修改密码').click();
    await page.getByTestId('password-current').fill(PASSWORD);
    await page.getByTestId('password-new').fill('Console-2027!!');
    await page.getByTestId('password-again').fill('Console-2027!!');
    await page.getByTestId('password-ok').click();
    await page.getByText('密码已修改').waitFor();
    await page.getByTestId('user-menu').hover();
    await page.getByText('退出登录').click();
    await page.waitForURL(/#\/sign-in/);
    await page.reload();
    await page.getByTestId('sign-in').waitFor();
    const [ended] = await p.ds.query(`SELECT s.ended_at IS NOT NULL AS ended FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'feng.out' ORDER BY s.created_at DESC LIMIT 1`);
    expect(ended.ended).toBe(true);

    await signIn(page, 'feng.out', 'Console-2027!!');
    await page.getByTestId('board').waitFor();
    // Idle past the limit (the API's idle timeout, as if the person had left the desk): the next call is refused.
    await p.ds.query(`UPDATE sessions SET last_seen_at = now() - interval '1 day' FROM users u WHERE u.id = sessions.user_id AND u.username = 'feng.out' AND sessions.ended_at IS NULL`);
    await page.getByTestId('board').getByRole('button').filter({ has: page.locator('.anticon-reload') }).click();
    await page.getByTestId('expired').waitFor();
    expect(page.url()).toContain('#/sign-in');
    await shot(page, 'session-expired');
    expect(errors).toEqual([]);
  });

  it('a directory (LDAP) person signs in through the form with the role their group maps to', async () => {
    const mapped = await p.call('PUT', '/auth/directory/group-roles', p.adminToken, { mappings: [{ groupDn: ldap.groupDn('it-review'), role: 'reviewer' }] });
    expect(mapped.status).toBe(200);
    const { page, errors } = await open();
    await signIn(page, 'zhou.dir', 'Dir-secret-9', true);
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('user-menu').textContent()).toContain('周域');
    expect(await page.getByTestId('user-menu').textContent()).toContain('审核人');
    // A reviewer lands on the changes, and has no phone-call button anywhere.
    await page.waitForURL(/#\/changes/);
    const me = await page.evaluate(() => fetch('/auth/session').then((r) => r.json()));
    expect(me).toMatchObject({ authSource: 'directory', user: { roles: ['reviewer'] } });
    expect(errors).toEqual([]);
  });

  it('a wrong password is refused, and the name is locked after the limit (even the right password)', async () => {
    await person('qian.lock', '钱锁定', ['dispatcher']);
    const { page } = await open();
    const texts: string[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      await signIn(page, 'qian.lock', 'not-the-password');
      const alert = page.getByTestId('sign-in-error');
      await alert.waitFor();
      texts.push((await alert.textContent())!);
      await page.reload();
    }
    expect(texts[0]).toMatch(/用户名或密码错误/);
    expect(texts[MAX_FAILURES - 1]).toContain('已锁定');
    await signIn(page, 'qian.lock', PASSWORD);
    await page.getByTestId('sign-in-error').waitFor();
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('已锁定');
    expect(page.url()).toContain('#/sign-in');
    await shot(page, 'sign-in-locked');
  });
});
