import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkbook, readZip } from '../src/adapters/reports';
import { DAY_MS, formatDayNumber, localDayNumber } from '../src/domain/time';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S17 end to end on real PostgreSQL, Temporal and headless Chromium: a period's pack holds the confirmed records, the
 * SLA table with every breach and its evidence, and the ledger's head hash; built twice from the same data it is the
 * same bytes; pdftotext reads the numbers back; the IT manager's acceptance makes the 60 % milestone due (S18).
 */
describe('acceptance pack (S17, S18)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let pm: TestUser;
  let itManager: TestUser;
  const dir = mkdtempSync(join(tmpdir(), 'wardline-pack-'));

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  async function incident(title: string, opts: { reportedAgoMin?: number; priority?: string } = {}): Promise<string> {
    const res = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: 'SYS-11',
      title,
      description: `${title}：科室报告`,
      reporter: { name: '李护士长', department: '放射科', phone: '8021' },
      priority: opts.priority ?? 'P2',
      channel: 'phone',
      assigneeId: engineer.id,
      ...(opts.reportedAgoMin ? { reportedAt: new Date(Date.now() - opts.reportedAgoMin * 60_000).toISOString() } : {}),
    });
    expect(res.status).toBe(201);
    return res.body.number;
  }

  async function resolve(n: string, cause: string): Promise<void> {
    for (const [action, body] of [
      ['acknowledge', {}],
      ['arrive', {}],
      ['resolve', { cause, fix: '处理完毕', category: 'system_error_fix' }],
    ] as const) {
      const res = await p.call('POST', `/incidents/${n}/${action}`, engineer.token, body);
      expect({ n, action, status: res.status }).toEqual({ n, action, status: 200 });
    }
  }

  const recordOf = (source: string) =>
    waitFor(`record of ${source}`, async () => (await p.call('GET', `/records?source=${source}`, dispatcher.token)).body.items?.[0]);

  const built = (number: string) =>
    waitFor(`pack ${number} built`, async () => {
      const r = await p.call('GET', `/acceptance-packs/${number}`, dispatcher.token);
      if (r.body.state === 'failed') throw new Error(`pack failed: ${r.body.error}`);
      return r.body.state === 'submitted' ? r.body : undefined;
    });

  async function download(number: string): Promise<Buffer> {
    const res = await fetch(`${p.baseUrl}/acceptance-packs/${number}/zip`, { headers: { authorization: `Bearer ${dispatcher.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/zip');
    return Buffer.from(await res.arrayBuffer());
  }

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    pm = await p.user(['project_manager'], '张经理');
    itManager = await p.user(['it_manager'], '信息科主任');
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let breachedNumber = '';
  let confirmedRecord = '';
  let firstPack: any;

  it('builds a period pack whose zip holds the evidence, and the same data twice gives the same bytes', async () => {
    // A contract whose 12-month period holds today (in the contract's zone), started 6 months ago.
    const today = localDayNumber(Date.now(), 480);
    const start = new Date((today - 180) * DAY_MS);
    const startDate = formatDayNumber(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) / DAY_MS);
    const contract = await p.call('POST', '/contracts', itManager.token, { number: 'HT-PACK', title: '运维服务合同', hospital: '市人民医院', vendor: '某信息公司', startDate, amount: 1_000_000 });
    expect(contract.status).toBe(201);

    // A P1 reported three hours ago: its response and on-site clocks breach before anyone acts (S11 evidence).
    breachedNumber = await incident('PACS 无法登录', { reportedAgoMin: 180, priority: 'P1' });
    await resolve(breachedNumber, '证书过期');
    const ok = await incident('HIS 打印异常');
    await resolve(ok, '打印驱动');
    const rec = await recordOf(ok);
    expect((await p.call('POST', `/records/${rec.number}/confirm`, dispatcher.token, {})).status).toBe(200);
    expect((await p.call('POST', `/records/${rec.number}/confirm`, pm.token, {})).body.state).toBe('confirmed');
    confirmedRecord = rec.number;
    await recordOf(breachedNumber); // stays pending: counted, not listed as confirmed
    const [{ breached }] = await p.ds.query(`SELECT breached_clocks AS breached FROM incidents WHERE number = $1`, [breachedNumber]);
    expect(breached).toEqual(expect.arrayContaining(['respond', 'on_site']));

    // S11/S6 clocks beside the incidents': a modification delivered late and a support request fulfilled late.
    const now = Date.now();
    await p.ds.query(
      `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, delivery_due, delivery_breached, live_at, view)
       SELECT $1, 'MOD-GEN-LATE', $2, s.id, 'adaptation', '医保目录适配', '适配', '医保办', 'live', $3, $4, $5, true, $6, '{}' FROM business_systems s WHERE s.code = 'SYS-11'`,
      [randomUUID(), `modification-late-${randomUUID()}`, pm.id, new Date(now - 12 * DAY_MS), new Date(now - 5 * DAY_MS), new Date(now - 4 * DAY_MS)],
    );
    await p.ds.query(
      `INSERT INTO support_requests (id, number, workflow_id, system_id, type, title, state, requester_name, requester_department, submitted_at, due_at, fulfilled_at, breached, view, projected_seq)
       SELECT $1, 'SR-GEN-LATE', $2, s.id, 'report_export', '导出门诊量报表', 'fulfilled', '张医生', '医务处', $3, $4, $5, true, '{}', 1 FROM business_systems s WHERE s.code = 'SYS-11'`,
      [randomUUID(), `support-late-${randomUUID()}`, new Date(now - 5 * DAY_MS), new Date(now - 3 * DAY_MS), new Date(now - 1 * DAY_MS)],
    );

    expect((await p.call('POST', '/acceptance-packs', engineer.token, { scope: 'period' })).status).toBe(403);
    const a = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'period' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ scope: 'period', state: 'building', contract: 'HT-PACK' });
    expect(a.body.number).toMatch(/^AP-\d{8}-\d{4}$/);
    firstPack = await built(a.body.number);
    const b = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'period' });
    const second = await built(b.body.number);
    expect(second.number).not.toBe(firstPack.number);
    // Same data, same bytes: the pack's own number and build time are not inside it.
    expect(second.zip.sha256).toBe(firstPack.zip.sha256);
    const zipA = await download(firstPack.number);
    const zipB = await download(second.number);
    expect(zipA.equals(zipB)).toBe(true);
    expect(createHash('sha256').update(zipA).digest('hex')).toBe(firstPack.zip.sha256);

    const entries = await readZip(zipA);
    expect(entries.map((e) => e.name)).toEqual(['summary.pdf', 'detail.xlsx', 'LEDGER-HEAD.txt', 'SHA256SUMS']);
    const head = await p.call('GET', '/records/head', dispatcher.token);
    expect(firstPack.ledgerHead).toEqual(head.body);
    expect(entries[2].data.toString()).toContain(`entry_hash ${head.body.hash}`);
    for (const line of entries[3].data.toString().trim().split('\n')) {
      const [sum, name] = line.split(/\s+/);
      expect(createHash('sha256').update(entries.find((e) => e.name === name)!.data).digest('hex')).toBe(sum);
    }

    // The PDF's text holds the figures, read back with poppler's pdftotext.
    const pdf = join(dir, 'summary.pdf');
    writeFileSync(pdf, entries[0].data);
    // -raw keeps the content stream's order (Chromium writes it in document order), so each table row reads in order.
    const text = execFileSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('维护服务验收资料包');
    expect(text).toContain('HT-PACK');
    expect(text.replace(/\s+/g, '')).toContain(head.body.hash);
    expect(text).toContain(breachedNumber);
    // Narrow table cells wrap CJK text across lines: the cause is read with the whitespace taken out.
    expect(text.replace(/\s+/g, '')).toContain('证书过期');
    const summary = firstPack.summary;
    expect(summary).toMatchObject({ recordsConfirmed: 1, recordsPending: 1, incidents: 2, ledgerOk: true });
    expect(summary.breaches).toBeGreaterThanOrEqual(2);
    expect(summary.otherBreaches).toBe(2);
    expect(text).toContain('修改调整交付（7 天） / modification delivery (7 days) 1 0 1 0.0%');
    expect(text).toContain('服务请求（工作日） / support requests (working days) 1 0 1 0.0%');
    expect(text).toContain('MOD-GEN-LATE');
    expect(text).toContain('SR-GEN-LATE');
    expect(text).toContain(`双方已确认的维护记录 records confirmed by both parties ${summary.recordsConfirmed}\n`);
    expect(text).toContain(`SLA 违约 SLA breaches ${summary.breaches}\n`);
    // The compliance row of the working-time tier or off hours (whichever the P1 fell in) shows the breaches.
    const [{ tier }] = await p.ds.query(`SELECT tier FROM incidents WHERE number = $1`, [breachedNumber]);
    const tierZh = tier === 'working_time' ? '工作时间' : '非工作时间';
    expect(text).toMatch(new RegExp(`${tierZh} 响应时限 \\d+ \\d+ 1 \\d+ `));

    const sheets = await readWorkbook(entries[1].data);
    expect(sheets.get('其他时限 Other clocks')!.map((r) => r[0])).toEqual(['编号 / Number', 'MOD-GEN-LATE', 'SR-GEN-LATE']);
    const records = sheets.get('维护记录 Records')!;
    expect(records).toHaveLength(2);
    expect(records[1][0]).toBe(confirmedRecord);
    const breaches = sheets.get('违约明细 Breaches')!;
    expect(breaches.length).toBe(summary.breaches + 1);
    expect(breaches.slice(1).every((r) => r[0] === breachedNumber)).toBe(true);
  });

  it('the IT manager accepts it (nobody else, once); the 60 % milestone becomes due and can be paid', async () => {
    const before = await p.call('GET', '/contracts/HT-PACK', itManager.token);
    expect(before.body.milestones[1].state).toBe('pending');
    expect(firstPack.allowedActions).toEqual([]);
    expect((await p.call('POST', `/acceptance-packs/${firstPack.number}/accept`, pm.token, {})).status).toBe(403);
    const accepted = await p.call('POST', `/acceptance-packs/${firstPack.number}/accept`, itManager.token, { note: '资料齐全' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'accepted', decision: { by: { name: '信息科主任' }, note: '资料齐全' } });
    const again = await p.call('POST', `/acceptance-packs/${firstPack.number}/accept`, itManager.token, {});
    expect(again.status).toBe(409);
    const after = await p.call('GET', '/contracts/HT-PACK', itManager.token);
    expect(after.body.milestones[1]).toMatchObject({ state: 'due', acceptedPack: { number: firstPack.number } });
    expect(after.body.acceptance.lacks.map((g: any) => g.code)).not.toContain('no_accepted_pack');
    expect((await p.call('POST', '/contracts/HT-PACK/milestones/acceptance/payment', itManager.token, { note: '验收款' })).body.milestones[1].state).toBe('paid');
  });

  it('a rejection needs a reason; a partial period does not count for the contract; bad scopes are refused', async () => {
    const list = await p.call('GET', '/acceptance-packs', dispatcher.token);
    const open = list.body.find((x: any) => x.state === 'submitted');
    expect(open).toBeDefined();
    expect((await p.call('POST', `/acceptance-packs/${open.number}/reject`, itManager.token, {})).status).toBe(400);
    const rejected = await p.call('POST', `/acceptance-packs/${open.number}/reject`, itManager.token, { note: '违约说明不全' });
    expect(rejected.body.state).toBe('rejected');

    const today = formatDayNumber(localDayNumber(Date.now(), 480));
    const partial = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'period', from: today, to: today });
    expect(partial.status).toBe(201);
    expect(partial.body.contract).toBeNull();
    expect(partial.body.period).toEqual({ from: today, to: today });
    expect((await p.call('POST', '/acceptance-packs', pm.token, { scope: 'period', from: today })).status).toBe(400);
    expect((await p.call('POST', '/acceptance-packs', pm.token, { scope: 'modification' })).status).toBe(400);
    expect((await p.call('POST', '/acceptance-packs', pm.token, { scope: 'modification', modification: 'MOD-19990101-0001' })).status).toBe(422);
    expect((await p.call('GET', '/acceptance-packs/AP-19990101-0001/zip', pm.token)).status).toBe(404);
    await built(partial.body.number);
  });
  it('a period pack carries the inspection reports of the period; a modification gets its own pack once it may be accepted', async () => {
    // An inspection of this period with a signed-off report (issue 13's tables), as its workflow would store it.
    const inspectionId = randomUUID();
    const reportPdf = Buffer.from('%PDF-1.4 inspection report bytes');
    await p.ds.query(
      `INSERT INTO inspections (id, number, workflow_id, profile, trigger, scope, state, requested_by_name, started_at, finished_at)
       VALUES ($1, 'INS-GEN-1', $2, 'monthly', 'schedule', '{}', 'completed', '计划', now() - interval '1 hour', now())`,
      [inspectionId, `inspection-gen-${inspectionId}`],
    );
    const [report] = await p.ds.query(
      `INSERT INTO inspection_reports (inspection_id, version, title, period_end, pdf, pdf_sha256, xlsx, xlsx_sha256, renderer, state)
       VALUES ($1, 1, '系统巡检报告', now(), $2, $3, $4, $5, 'test', 'signed_off') RETURNING id`,
      [inspectionId, reportPdf, createHash('sha256').update(reportPdf).digest('hex'), Buffer.from('x'), createHash('sha256').update('x').digest('hex')],
    );
    await p.ds.query(`INSERT INTO inspection_report_signoffs (report_id, role, user_id, user_name) VALUES ($1, 'project_manager', $2, '张经理')`, [report.id, pm.id]);
    const pack = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'period' });
    expect(pack.status).toBe(201);
    const done = await built(pack.body.number);
    expect(done.summary.inspections).toBe(1);
    const entries = await readZip(await download(done.number));
    expect(entries.map((e) => e.name)).toEqual(['summary.pdf', 'detail.xlsx', 'inspections/INS-GEN-1-v1.pdf', 'LEDGER-HEAD.txt', 'SHA256SUMS']);
    expect(entries[2].data.equals(reportPdf)).toBe(true);
    const sheets = await readWorkbook(entries[1].data);
    expect(sheets.get('巡检报告 Inspections')![1]).toEqual(expect.arrayContaining(['INS-GEN-1', '系统巡检报告', '张经理（project_manager）']));

    // Modifications: one live but not yet 7 working days, one past that point.
    const modification = async (n: string, liveDaysAgo: number, eligibleInDays: number) => {
      const id = randomUUID();
      const now = Date.now();
      await p.ds.query(
        `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, delivery_due,
           delivery_breached, live_at, acceptance_eligible_at, view)
         SELECT $1, $2, $3, s.id, 'interface', '检验结果推送接口', '对接区域平台', '检验科', 'live', $4, $5, $6, false, $7, $8, '{}' FROM business_systems s WHERE s.code = 'SYS-11'`,
        [id, n, `modification-gen-${id}`, pm.id, new Date(now - (liveDaysAgo + 5) * DAY_MS), new Date(now - (liveDaysAgo - 2) * DAY_MS), new Date(now - liveDaysAgo * DAY_MS), new Date(now + eligibleInDays * DAY_MS)],
      );
    };
    await modification('MOD-GEN-EARLY', 2, 7);
    await modification('MOD-GEN-READY', 12, -1);
    const early = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'modification', modification: 'MOD-GEN-EARLY' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('NOT_ELIGIBLE');
    expect(early.body.messageZh).toContain('7 个工作日');
    const ready = await p.call('POST', '/acceptance-packs', pm.token, { scope: 'modification', modification: 'mod-gen-ready' });
    expect(ready.status).toBe(201);
    expect(ready.body).toMatchObject({ scope: 'modification', modification: 'MOD-GEN-READY', contract: null });
    const modPack = await built(ready.body.number);
    expect(modPack.summary).toMatchObject({ modifications: 1, incidents: 0, inspections: 0 });
    const modEntries = await readZip(await download(modPack.number));
    const pdf = join(dir, 'modification.pdf');
    writeFileSync(pdf, modEntries[0].data);
    const text = execFileSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('改造验收资料包 MOD-GEN-READY');
    expect(text).toContain('检验结果推送接口');
    expect(text).not.toContain('SLA 达标情况');
  });
});
