import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PdfRenderer,
  ReportHtmlRenderer,
  addKeyValueSheet,
  addTableSheet,
  buildZip,
  createWorkbook,
  readWorkbook,
  readZip,
  renderBarChartSvg,
  renderPieChartSvg,
  reportTemplatesDir,
  workbookToBuffer,
} from '../src/adapters/reports';

/** The shared renderer (S8, S16, S17) in real headless Chromium; the PDF is read back with poppler's pdftotext. */
describe('shared report rendering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-report-'));
  const renderers: PdfRenderer[] = [];
  afterAll(async () => {
    await Promise.all(renderers.map((r) => r.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const at = Date.UTC(2026, 9, 31, 16, 0, 0); // 2026-11-01 00:00 in Asia/Shanghai

  function page(): string {
    copyFileSync(join(reportTemplatesDir(), 'layout.hbs'), join(dir, 'layout.hbs'));
    writeFileSync(
      join(dir, 'sample.hbs'),
      `{{#> layout title=title}}<h1>{{title}}</h1><div class="subtitle">{{date periodStart}} 至 {{date periodEnd}}</div>
<p>故障总数 {{num total}} 件，响应达标率 {{pct respondRate}}，说明：{{note}}</p><div class="chart">{{{chart}}}</div>
<table><thead><tr><th>系统</th><th class="n">故障数</th></tr></thead><tbody>{{#each rows}}<tr><td>{{name}}</td><td class="n">{{count}}</td></tr>{{/each}}</tbody></table>{{/layout}}`,
    );
    const html = new ReportHtmlRenderer(dir);
    return html.render('sample', {
      title: '2026年10月 月度服务报告',
      periodStart: Date.UTC(2026, 8, 30, 16),
      periodEnd: Date.UTC(2026, 9, 31, 15, 59),
      total: 42,
      respondRate: 41 / 42,
      note: '<script>alert(1)</script>',
      chart: renderBarChartSvg({ title: '按系统故障数', categories: ['PACS', 'HIS', 'LIS'], series: [{ name: '故障', values: [17, 15, 10] }] }),
      rows: [
        { name: '放射科PACS/RIS系统', count: 17 },
        { name: '医院信息系统HIS', count: 15 },
        { name: '检验信息系统LIS', count: 10 },
      ],
    });
  }

  it('escapes data, keeps chart SVG, and the same data renders the same HTML', () => {
    const a = page();
    expect(a).toContain('&lt;script&gt;');
    expect(a).not.toContain('<script>');
    expect(a).toContain('<svg');
    expect(a).toContain('2026-10-01 至 2026-10-31');
    expect(a).toContain('97.6%');
    expect(page()).toBe(a);
  });

  it('renders zh-CN PDF whose text holds the numbers, byte-identical across two browsers when deterministic', async () => {
    const html = page();
    const one = new PdfRenderer();
    const two = new PdfRenderer();
    renderers.push(one, two);
    const [a, b] = await Promise.all([one.render(html, { deterministicAt: at }), two.render(html, { deterministicAt: at })]);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
    // The renderer is reused: a second render on the same browser gives the same bytes again.
    expect((await one.render(html, { deterministicAt: at })).equals(a)).toBe(true);
    const file = join(dir, 'a.pdf');
    writeFileSync(file, a);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('2026年10月 月度服务报告');
    expect(text).toContain('故障总数 42 件');
    expect(text).toContain('97.6%');
    expect(text).toContain('放射科PACS/RIS系统');
    expect(text).toContain('按系统故障数'); // the chart's title, drawn as SVG text
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/CreationDate:\s+Sat Oct 31 16:00:00 2026 UTC/);
  });

  it('a closed renderer refuses further work', async () => {
    const r = new PdfRenderer();
    await r.close();
    await expect(r.render('<p>x</p>')).rejects.toThrow(/closed/);
  });

  it('charts: the same option gives the same SVG, distinct charts get distinct class prefixes', () => {
    const a = renderPieChartSvg({ title: '违约原因', slices: [{ name: '响应超时', value: 2 }, { name: '到场超时', value: 1 }] });
    const b = renderPieChartSvg({ title: '违约原因', slices: [{ name: '响应超时', value: 2 }, { name: '到场超时', value: 1 }] });
    const c = renderPieChartSvg({ title: '违约原因', slices: [{ name: '响应超时', value: 3 }, { name: '到场超时', value: 1 }] });
    expect(a).toBe(b);
    expect(a).toContain('违约原因');
    expect(a).not.toMatch(/\bzr\d+-/);
    const prefix = (svg: string) => /class="(c[0-9a-f]{8})-/.exec(svg)?.[1];
    expect(prefix(a)).toBeDefined();
    expect(prefix(a)).not.toBe(prefix(c));
  });

  it('XLSX: fixed metadata and entry dates give the same bytes, and the rows read back', async () => {
    const build = async () => {
      const wb = createWorkbook({ at, title: '明细' });
      addKeyValueSheet(wb, '概要', [
        ['故障总数 / Incidents', 42],
        ['周期 / Period', '2026-10'],
      ]);
      addTableSheet(
        wb,
        '故障明细',
        [
          { header: '编号 / Number', key: 'n' },
          { header: '用时(分钟) / Minutes', key: 'm', numFmt: '0.0' },
        ],
        [
          { n: 'INC-1', m: 12.5 },
          { n: 'INC-2', m: null },
        ],
      );
      return workbookToBuffer(wb, at);
    };
    const [a, b] = [await build(), await new Promise<Buffer>((r) => setTimeout(() => r(build()), 2100))];
    expect(a.equals(b)).toBe(true);
    for (const e of await readZip(a)) expect(e.date.getTime()).toBe(at);
    const sheets = await readWorkbook(a);
    expect(sheets.get('概要')?.[1]).toEqual(['故障总数 / Incidents', '42']);
    expect(sheets.get('故障明细')).toEqual([
      ['编号 / Number', '用时(分钟) / Minutes'],
      ['INC-1', '12.5'],
      ['INC-2', ''],
    ]);
  });

  it('zip: fixed dates and order; refuses traversal and duplicates', async () => {
    const entries = [
      { name: 'summary.pdf', data: Buffer.from('%PDF-1.4 x') },
      { name: 'detail/records.xlsx', data: Buffer.from([1, 2, 3]) },
      { name: 'HEAD.txt', data: 'abc\n' },
    ];
    const a = await buildZip(entries, { date: at });
    const b = await buildZip(entries, { date: at });
    expect(a.equals(b)).toBe(true);
    const back = await readZip(a);
    expect(back.map((e) => e.name)).toEqual(['summary.pdf', 'detail/records.xlsx', 'HEAD.txt']);
    expect(back[2].data.toString()).toBe('abc\n');
    expect(back.every((e) => e.date.getTime() === at)).toBe(true);
    expect((await readZip(await buildZip(entries, { date: at, sort: true }))).map((e) => e.name)).toEqual(['HEAD.txt', 'detail/records.xlsx', 'summary.pdf']);
    await expect(buildZip([{ name: '../x', data: 'x' }], { date: at })).rejects.toThrow(/bad zip entry/);
    await expect(buildZip([entries[0], entries[0]], { date: at })).rejects.toThrow(/duplicate/);
  });
});
