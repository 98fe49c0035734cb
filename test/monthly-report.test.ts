import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkbook } from '../src/adapters/reports';
import { ensureMonthlyReportSchedule, loadMonthlyReportConfig } from '../src/infra/monthly-report-schedule';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S8 end to end on real PostgreSQL, Temporal and Chromium: a generated month of history (incidents across both tiers
 * with breaches, changes with reviews, rejections and an emergency, modifications) is drafted into October's report by
 * the schedule's workflow on November's first working day, with satisfaction answers, problems and an outage; the test recomputes every headline figure from the
 * database with its own SQL and finds them in the API's figures and in the PDF's text (pdftotext); the project and
 * quality managers edit the improvement plan, one publishes, and the IT manager is notified.
 */
const MIN = 60_000;
const cst = (local: string) => Date.parse(`${local}+08:00`);
const OCT = { from: cst('2026-10-01T00:00:00'), to: cst('2026-11-01T00:00:00') };

describe('monthly service report (S8)', () => {
  let p: TestPlatform;
  let pm: TestUser;
  let qm: TestUser;
  let itManager: TestUser;
  let dispatcher: TestUser;
  const dir = mkdtempSync(join(tmpdir(), 'wardline-monthly-'));

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const pdfText = async (month: string): Promise<string> => {
    const res = await fetch(`${p.baseUrl}/monthly-reports/${month}/pdf`, { headers: { authorization: `Bearer ${dispatcher.token}` } });
    expect(res.status).toBe(200);
    const file = join(dir, `${month}-${randomUUID()}.pdf`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    // -raw keeps Chromium's document order, so a table row reads as one line.
    return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
  };

  /** A month of incidents as the projection stores them: both tiers, met and breached clocks, open ones, one cancelled. */
  const ids = new Map<number, string>();
  let firstSystem = '';

  async function generateHistory(systems: { id: string; code: string }[]): Promise<void> {
    const budgets = { working_time: { respond: 30, onSite: 60 }, off_hours: { respond: 60, onSite: 120 } } as const;
    const insert = async (i: number, reportedAt: number, state: string) => {
      const tier = i % 3 === 0 ? 'off_hours' : 'working_time';
      const b = budgets[tier];
      const ack = reportedAt + [10, 45, 20, 90, 5, 31][i % 6] * MIN;
      const onSite = ack + [20, 50, 70, 10][i % 4] * MIN;
      const resolvedAt = state === 'on_site' ? null : reportedAt + [120, 300, 3000, 4000][i % 4] * MIN;
      const clock = (kind: string, budgetMin: number, done: number | null) => {
        const deadline = reportedAt + budgetMin * MIN;
        const breachedAt = (done ?? OCT.to) > deadline ? deadline : null;
        return { kind, basis: 'working', budgetMs: budgetMin * MIN, breachedAt, stoppedAt: done, deadline };
      };
      const clocks = { respond: clock('respond', b.respond, ack), on_site: clock('on_site', b.onSite, onSite), repair: clock('repair', 2880, resolvedAt) };
      // An open repair clock inside its budget stays open; one whose budget ran out breached.
      const breachedClocks = Object.values(clocks).filter((c) => c.breachedAt !== null).map((c) => c.kind);
      const system = systems[i % systems.length];
      ids.set(i, randomUUID());
      await p.ds.query(
        `INSERT INTO incidents (id, number, workflow_id, system_id, title, description, reporter_name, reporter_department, priority, channel, state, tier,
           reported_at, opened_by_id, opened_by_name, acknowledged_at, on_site_at, resolved_at, resolution, breached, breached_clocks, clocks, policy_version,
           projected_seq, respond_due, on_site_due, repair_due)
         VALUES ($1,$2,$3,$4,$5,$6,'李护士长','放射科',$7,'phone',$8,$9,$10,'gen','生成器',$11,$12,$13,$14,$15,$16,$17,1,1,$18,$19,$20)`,
        [
          ids.get(i),
          `INC-GEN-${String(i).padStart(3, '0')}`,
          `incident-gen-${i}-${randomUUID()}`,
          system.id,
          `生成故障 ${i}`,
          '生成的历史',
          ['P1', 'P2', 'P3', 'P4'][(i * 7) % 4],
          state,
          tier,
          new Date(reportedAt),
          new Date(ack),
          new Date(onSite),
          resolvedAt === null ? null : new Date(resolvedAt),
          resolvedAt === null ? null : JSON.stringify({ cause: `原因${i}`, fix: '处理', category: ['system_error_fix', 'data_repair', 'other'][i % 3] }),
          breachedClocks.length > 0,
          breachedClocks,
          JSON.stringify(clocks),
          new Date(clocks.respond.deadline),
          new Date(clocks.on_site.deadline),
          new Date(clocks.repair.deadline),
        ],
      );
    };
    for (let i = 0; i < 24; i++) await insert(i, OCT.from + i * 29 * 60 * MIN + 13 * MIN, i % 5 === 4 ? 'on_site' : 'resolved');
    await insert(100, OCT.from + 3 * 24 * 60 * MIN, 'cancelled'); // not service: left out
    await insert(101, OCT.from - 30 * MIN, 'resolved'); // 30 September, 23:30 in Beijing
    await insert(102, OCT.to + 10 * MIN, 'resolved'); // 1 November, 00:10

    // Changes: reviews with an approval, a rejection, a send-back; an emergency change implemented first.
    const kinds = ['normal', 'normal', 'emergency', 'standard', 'normal'];
    const decisions: string[][] = [['approve'], ['reject'], ['approve'], [], ['send_back', 'approve']];
    for (let c = 0; c < kinds.length; c++) {
      const id = randomUUID();
      const at = OCT.from + (c * 5 + 1) * 24 * 60 * MIN;
      await p.ds.query(
        `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, window_start, window_end, submitted_by, view)
         VALUES ($1,$2,$3,$4,$5,$6,'closed','medium',false,false,1,$7,$8,$9,'{}')`,
        [id, `CHG-GEN-${c}`, `change-gen-${id}`, systems[c % systems.length].id, kinds[c], `生成变更 ${c}`, new Date(at), new Date(at + 60 * MIN), pm.id],
      );
      const events: [string, Record<string, unknown>][] = [['submitted', {}], ...(kinds[c] === 'emergency' ? [['implement', {}] as [string, Record<string, unknown>]] : []), ...decisions[c].map((d) => ['review', { decision: d }] as [string, Record<string, unknown>])];
      for (const [seq, [action, data]] of events.entries()) {
        await p.ds.query(`INSERT INTO change_events (change_id, seq, action, actor_id, actor_name, at, revision, to_state, data) VALUES ($1,$2,$3,'gen','生成器',$4,1,'x',$5)`, [
          id,
          seq + 1,
          action,
          new Date(at + seq * MIN),
          JSON.stringify(data),
        ]);
      }
    }
    // S6: three support requests in October, one late, and one withdrawn (left out).
    for (const [n, state, breached] of [[0, 'confirmed', false], [1, 'fulfilled', true], [2, 'in_progress', false], [3, 'cancelled', false]] as const) {
      const id = randomUUID();
      const at = OCT.from + (n * 6 + 3) * 24 * 60 * MIN;
      await p.ds.query(
        `INSERT INTO support_requests (id, number, workflow_id, system_id, type, title, state, requester_name, requester_department, submitted_at, due_at, fulfilled_at, breached, view, projected_seq)
         VALUES ($1, $2, $3, $4, 'report_export', $5, $6, '张医生', '医务处', $7, $8, $9, $10, '{}', 1)`,
        [id, `SR-GEN-${n}`, `support-gen-${id}`, systems[0].id, `导出报表 ${n}`, state, new Date(at), new Date(at + 2 * 24 * 60 * MIN), ['confirmed', 'fulfilled'].includes(state) ? new Date(at + (breached ? 4 : 1) * 24 * 60 * MIN) : null, breached],
      );
    }
    // S9: INC-GEN-000 took SYS-01 down from its report to its repair (120 minutes).
    await p.ds.query(`INSERT INTO incident_outages (incident_id, outage, set_by_id, set_by_name) VALUES ($1, true, 'gen', '生成器')`, [ids.get(0)]);
    // S8 satisfaction: three answers in October (5, 4, 2), one survey unanswered, one answered in November.
    const survey = async (i: number, sentAt: number, score: number | null, answeredAt: number | null) =>
      p.ds.query(
        `INSERT INTO satisfaction_surveys (id, incident_id, system_id, engineer_id, engineer_name, reporter_name, reporter_department, token_hash, sent_at, expires_at, score, answered_at)
         SELECT $1, i.id, i.system_id, 'e1', '李工', '李护士长', '放射科', $2, $3, $4, $5, $6 FROM incidents i WHERE i.id = $7`,
        [randomUUID(), randomUUID().replace(/-/g, '').padEnd(64, '0'), new Date(sentAt), new Date(sentAt + 7 * 24 * 60 * MIN), score, answeredAt === null ? null : new Date(answeredAt), ids.get(i)],
      );
    await survey(0, OCT.from + 2 * 24 * 60 * MIN, 5, OCT.from + 3 * 24 * 60 * MIN);
    await survey(1, OCT.from + 4 * 24 * 60 * MIN, 4, OCT.from + 5 * 24 * 60 * MIN);
    await survey(2, OCT.from + 6 * 24 * 60 * MIN, 2, OCT.from + 6 * 24 * 60 * MIN + 30 * MIN);
    await survey(3, OCT.from + 8 * 24 * 60 * MIN, null, null);
    await survey(6, OCT.to - 60 * MIN, 3, OCT.to + 60 * MIN);
    // S1: a problem found in October and still investigated, linked to INC-GEN-005; one from September closed in October.
    const problem = async (n: number, state: string, openedAt: number, closedAt: number | null, incident: number | null) => {
      const id = randomUUID();
      await p.ds.query(
        `INSERT INTO problems (id, number, workflow_id, system_id, title, description, state, origin_kind, opened_at, opened_by_name, closed_at, view, projected_seq)
         VALUES ($1, $2, $3, $4, $5, '生成', $6, 'recurrence', $7, '生成器', $8, '{}', 1)`,
        [id, `PRB-GEN-${n}`, `problem-gen-${id}`, systems[0].id, `反复故障 ${n}`, state, new Date(openedAt), closedAt === null ? null : new Date(closedAt)],
      );
      if (incident !== null) await p.ds.query(`INSERT INTO problem_incidents (problem_id, incident_id) VALUES ($1, $2)`, [id, ids.get(incident)]);
    };
    await problem(1, 'investigating', OCT.from + 10 * 24 * 60 * MIN, null, 5);
    await problem(2, 'closed', OCT.from - 29 * 24 * 60 * MIN, OCT.from + 19 * 24 * 60 * MIN, null);
    for (let m = 0; m < 2; m++) {
      const id = randomUUID();
      const at = OCT.from + (m * 10 + 2) * 24 * 60 * MIN;
      await p.ds.query(
        `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, delivery_due, delivery_breached, live_at, view)
         VALUES ($1,$2,$3,$4,'improvement',$5,'生成','检验科','live',$6,$7,$8,$9,$10,'{}')`,
        [id, `MOD-GEN-${m}`, `modification-gen-${id}`, systems[0].id, `生成改造 ${m}`, pm.id, new Date(at), new Date(at + 7 * 24 * 60 * MIN), m === 1, new Date(at + (m === 1 ? 9 : 5) * 24 * 60 * MIN)],
      );
    }
  }

  beforeAll(async () => {
    p = await startPlatform();
    pm = await p.user(['project_manager'], '张经理');
    qm = await p.user(['quality_manager'], '刘质量');
    itManager = await p.user(['it_manager'], '信息科主任');
    dispatcher = await p.user(['dispatcher'], '王调度');
    const systems = await p.ds.query(`SELECT id, code FROM business_systems WHERE active AND entry_kind = 'system' AND code <> 'SYS-00' ORDER BY seq LIMIT 5`);
    firstSystem = systems[0].code;
    await generateHistory(systems);
    expect((await p.call('POST', '/contracts', itManager.token, { number: 'HT-2026', title: '运维服务合同', hospital: '市人民医院', vendor: '某信息公司', startDate: '2026-01-01' })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the schedule drafts October on 2 November (the first working day) and on no other day', async () => {
    const run = (local: string) =>
      p.temporal.workflow.execute('monthlyReportScheduleWorkflow', { taskQueue: p.config.taskQueue, workflowId: `sched-${randomUUID()}`, args: [{ at: cst(local) }] });
    expect(await run('2026-11-03T09:00:00')).toBeNull();
    expect(await run('2026-11-02T09:00:00')).toBe('2026-10');
    // Run again the same day (a retried schedule): the month's workflow is already there, nothing doubles.
    expect(await run('2026-11-02T10:00:00')).toBe('2026-10');
    const report = await waitFor('the draft', async () => {
      const r = await p.call('GET', '/monthly-reports/2026-10', dispatcher.token);
      return r.body.state === 'draft' ? r.body : r.body.state === 'failed' ? Promise.reject(new Error(r.body.error)) : undefined;
    });
    expect(report).toMatchObject({ month: '2026-10', trigger: 'schedule', period: { from: '2026-10-01', to: '2026-10-31' }, version: 1 });
    expect((await p.ds.query(`SELECT count(*)::int AS n FROM monthly_reports`))[0].n).toBe(1);
    expect((await p.call('POST', '/monthly-reports', pm.token, { month: '2026-10' })).status).toBe(409);
  });

  it('every figure is what the database says, recomputed here independently, and the PDF shows it', async () => {
    const { body } = await p.call('GET', '/monthly-reports/2026-10', pm.token);
    const f = body.figures;
    const range = [new Date(OCT.from), new Date(OCT.to)];
    const inMonth = `reported_at >= $1 AND reported_at < $2 AND state <> 'cancelled'`;
    const [totals] = await p.ds.query(
      `SELECT count(*)::int AS incidents, count(resolved_at)::int AS resolved, sum(cardinality(breached_clocks))::int AS breaches,
              avg(extract(epoch FROM (least(acknowledged_at, on_site_at) - reported_at)) / 60) AS mtta,
              avg(extract(epoch FROM (resolved_at - reported_at)) / 60) FILTER (WHERE resolved_at IS NOT NULL) AS mttr
         FROM incidents WHERE ${inMonth}`,
      range,
    );
    expect(totals.incidents).toBe(24);
    expect(f.incidents).toBe(totals.incidents);
    expect(f.resolved).toBe(totals.resolved);
    expect(f.breaches).toBe(totals.breaches);
    expect(totals.breaches).toBeGreaterThan(3);
    expect(f.mttaMinutes).toBeCloseTo(Number(totals.mtta), 6);
    expect(f.mttrMinutes).toBeCloseTo(Number(totals.mttr), 6);
    const bySystem = await p.ds.query(`SELECT s.code AS key, count(*)::int AS count FROM incidents i JOIN business_systems s ON s.id = i.system_id WHERE i.${inMonth.replace(/ AND /g, ' AND i.')} GROUP BY s.code`, range);
    expect(f.bySystem.map((r: any) => [r.key, r.count]).sort()).toEqual(bySystem.map((r: any) => [r.key, r.count]).sort());
    const byPriority = await p.ds.query(`SELECT priority AS key, count(*)::int AS count FROM incidents WHERE ${inMonth} GROUP BY priority ORDER BY priority`, range);
    expect(f.byPriority.map((r: any) => [r.key, r.count])).toEqual(byPriority.map((r: any) => [r.key, r.count]));
    // Compliance per tier and clock: met = stopped unbreached, breached = breached, whatever else is open.
    const compliance = await p.ds.query(
      `SELECT tier, k AS clock,
              count(*) FILTER (WHERE clocks->k->>'breachedAt' IS NULL AND clocks->k->>'stoppedAt' IS NOT NULL)::int AS met,
              count(*) FILTER (WHERE clocks->k->>'breachedAt' IS NOT NULL)::int AS breached
         FROM incidents, unnest(ARRAY['respond', 'on_site', 'repair']) AS k WHERE ${inMonth} GROUP BY tier, k`,
      range,
    );
    expect(compliance.length).toBe(6);
    for (const row of compliance) {
      const mine = f.compliance.find((c: any) => c.tier === row.tier && c.clock === row.clock);
      expect({ tier: row.tier, clock: row.clock, met: mine.met, breached: mine.breached }).toEqual({ tier: row.tier, clock: row.clock, met: row.met, breached: row.breached });
    }
    const respond = compliance.filter((r: any) => r.clock === 'respond');
    const respondRate = respond.reduce((a: number, r: any) => a + r.met, 0) / respond.reduce((a: number, r: any) => a + r.met + r.breached, 0);
    expect(f.respondRate).toBeCloseTo(respondRate, 9);
    const [changes] = await p.ds.query(
      `SELECT count(DISTINCT c.id)::int AS total, count(DISTINCT c.id) FILTER (WHERE c.kind = 'emergency')::int AS emergency,
              count(e.id) FILTER (WHERE e.action = 'review')::int AS reviews, count(e.id) FILTER (WHERE e.data->>'decision' = 'reject')::int AS rejections
         FROM changes c LEFT JOIN change_events e ON e.change_id = c.id`,
    );
    expect(f.changes).toMatchObject({ total: changes.total, emergency: changes.emergency, reviews: changes.reviews, rejections: changes.rejections });
    expect(f.modifications).toMatchObject({ total: 2, delivered: 2, deliveredLate: 1 });
    expect(f.contract).toMatchObject({ number: 'HT-2026', monthsLeft: 2, daysLeft: 0, ended: false });
    const [sat] = await p.ds.query(
      `SELECT count(*) FILTER (WHERE answered_at >= $1 AND answered_at < $2)::int AS n, avg(score) FILTER (WHERE answered_at >= $1 AND answered_at < $2) AS avg,
              count(*) FILTER (WHERE sent_at >= $1 AND sent_at < $2)::int AS sent FROM satisfaction_surveys`,
      range,
    );
    expect(sat).toMatchObject({ n: 3, sent: 5 });
    expect(f.satisfaction).toMatchObject({ responses: sat.n, sent: sat.sent });
    expect(f.satisfaction.average).toBeCloseTo(Number(sat.avg), 2);
    const [prb] = await p.ds.query(
      `SELECT count(*) FILTER (WHERE opened_at >= $1 AND opened_at < $2)::int AS proposed, count(*) FILTER (WHERE closed_at >= $1 AND closed_at < $2)::int AS closed,
              count(*) FILTER (WHERE opened_at < $2 AND (closed_at IS NULL OR closed_at >= $2))::int AS open FROM problems`,
      range,
    );
    expect(f.problems).toMatchObject({ proposed: prb.proposed, closed: prb.closed, open: prb.open });
    expect(f.downtime).toMatchObject({ systems: 1, systemHours: 2 });
    const [sr] = await p.ds.query(
      `SELECT count(*)::int AS total, count(fulfilled_at)::int AS fulfilled, count(*) FILTER (WHERE breached)::int AS breached
         FROM support_requests WHERE submitted_at >= $1 AND submitted_at < $2 AND state <> 'cancelled'`,
      range,
    );
    expect(sr).toEqual({ total: 3, fulfilled: 2, breached: 1 });
    expect(f.supportRequests).toMatchObject(sr);

    const text = await pdfText('2026-10');
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    expect(text).toContain('2026年10月 月度服务报告');
    expect(text).toContain(`故障总数 incidents ${totals.incidents}\n`);
    expect(text).toContain(`已修复 resolved ${totals.resolved}\n`);
    expect(text).toContain(`SLA 违约次数 SLA breaches ${totals.breaches}\n`);
    expect(text).toContain(`响应达标率 response compliance ${pct(respondRate)}\n`);
    expect(text).toContain(`平均响应时长 MTTA（分钟） minutes ${Number(totals.mtta).toFixed(1)}\n`);
    expect(text).toContain(`平均修复时长 MTTR（分钟） minutes ${Number(totals.mttr).toFixed(1)}\n`);
    for (const row of compliance) {
      const tierZh = row.tier === 'working_time' ? '工作时间' : '非工作时间';
      const clockZh = { respond: '响应时限', on_site: '到场时限', repair: '修复时限' }[row.clock as string];
      expect(text).toMatch(new RegExp(`${tierZh} ${clockZh} \\d+ ${row.met} ${row.breached} \\d+ `));
    }
    for (const r of bySystem) expect(text).toMatch(new RegExp(`${r.key} .* ${r.count}\\n`));
    expect(text).toContain(`紧急变更 emergency ${changes.emergency}\n`);
    expect(text).toContain(`审核驳回 rejections ${changes.rejections}\n`);
    // Every breached incident is listed with its cause.
    const breached = await p.ds.query(`SELECT number, resolution->>'cause' AS cause FROM incidents WHERE ${inMonth} AND breached ORDER BY number`, range);
    expect(breached.length).toBeGreaterThan(2);
    for (const b of breached) expect(text).toContain(b.number);
    expect(text).not.toContain('INC-GEN-100');
    expect(text).not.toContain('INC-GEN-101');
    expect(text).not.toContain('INC-GEN-102');
    expect(text).toContain('剩余 2 个月 0 天');
    expect(text).toContain(`回复 responses ${sat.n}\n`);
    expect(text).toContain(`平均分（1–5） average score ${Number(sat.avg).toFixed(2)}\n`);
    expect(text).toContain(`本月新发现问题 ${prb.proposed} 个，关闭 ${prb.closed} 个`);
    expect(text).toContain('PRB-GEN-1');
    expect(text.replace(/\s+/g, '')).toContain('INC-GEN-005');
    expect(text).toContain('七、停机与收入影响');
    expect(text).toContain(`本月服务请求 ${sr.total} 件，已完成 ${sr.fulfilled} 件，超时 ${sr.breached} 件。`);
    expect(text).not.toContain('SR-GEN-3');
    expect(text).toMatch(new RegExp(`${firstSystem} .* 2\\.00 — INC-GEN-000\n`));
    expect(text).toContain('待项目经理与质量经理填写');

    const xlsx = await fetch(`${p.baseUrl}/monthly-reports/2026-10/xlsx`, { headers: { authorization: `Bearer ${dispatcher.token}` } });
    const sheets = await readWorkbook(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheets.get('违约明细 Breaches')!.length).toBe(totals.breaches + 1);
  });

  it('the project and quality managers edit the plan, one publishes, the IT department is told', async () => {
    expect((await p.call('PUT', '/monthly-reports/2026-10/improvement-plan', dispatcher.token, { text: 'x' })).status).toBe(403);
    const first = await p.call('PUT', '/monthly-reports/2026-10/improvement-plan', pm.token, { text: '一、夜间值班响应超时：增加二线值守。' });
    expect(first.status).toBe(200);
    expect(first.body.planEdits.map((e: any) => e.as)).toEqual([['project_manager']]);
    const early = await p.call('POST', '/monthly-reports/2026-10/publish', pm.token, {});
    expect(early.status).toBe(409);
    expect(early.body.messageZh).toContain('质量经理');
    const plan = '一、夜间值班响应超时：增加二线值守。\n二、质量经理每周抽查维护记录。';
    const second = await p.call('PUT', '/monthly-reports/2026-10/improvement-plan', qm.token, { text: plan });
    expect(second.body).toMatchObject({ improvementPlan: plan, version: 3 });
    const published = await p.call('POST', '/monthly-reports/2026-10/publish', qm.token, {});
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ state: 'published', published: { by: { name: '刘质量' } }, allowedActions: [] });
    expect((await p.call('POST', '/monthly-reports/2026-10/publish', pm.token, {})).status).toBe(409);
    expect((await p.call('PUT', '/monthly-reports/2026-10/improvement-plan', pm.token, { text: 'late' })).status).toBe(409);
    const text = await pdfText('2026-10');
    expect(text).toContain('二、质量经理每周抽查维护记录。');
    expect(text).toContain('刘质量 发布于');
    const told = await waitFor('the IT manager told', async () => {
      const rows = await p.ds.query(`SELECT title, body FROM notification_deliveries WHERE event = 'monthly_report_published' AND recipient_id = $1`, [itManager.id]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(told[0].title).toContain('2026-10');
    expect(told[0].body).toContain('/monthly-reports/2026-10/pdf');
  });

  it('asks are checked: a month not begun, a malformed month, an unknown month; a failed report is drafted again', async () => {
    expect((await p.call('POST', '/monthly-reports', pm.token, { month: '2099-01' })).status).toBe(422);
    expect((await p.call('POST', '/monthly-reports', pm.token, { month: '2026-13' })).status).toBe(400);
    expect((await p.call('POST', '/monthly-reports', dispatcher.token, { month: '2026-09' })).status).toBe(403);
    expect((await p.call('GET', '/monthly-reports/2026-09', pm.token)).status).toBe(404);
    expect((await p.call('GET', '/monthly-reports/2026-9', pm.token)).status).toBe(400);
    // A report whose drawing failed is drafted again on request (a new run of its month's workflow).
    await p.ds.query(
      `INSERT INTO monthly_reports (month, workflow_id, trigger, state, period_start, period_end, requested_by_name, error)
       VALUES ('2026-08', 'monthly-report-2026-08', 'schedule', 'failed', $1, $2, '计划', 'chromium crashed')`,
      [new Date(cst('2026-08-01T00:00:00')), new Date(cst('2026-09-01T00:00:00'))],
    );
    const again = await p.call('POST', '/monthly-reports', pm.token, { month: '2026-08' });
    expect(again.status).toBe(201);
    const redrawn = await waitFor('the redraw', async () => {
      const r = await p.call('GET', '/monthly-reports/2026-08', pm.token);
      return r.body.state === 'draft' ? r.body : undefined;
    });
    expect(redrawn).toMatchObject({ error: null, version: 1, figures: { incidents: 0 } });
  });
  it('the worker keeps one Temporal Schedule, in the contract zone, and remakes it when the cron changes', async () => {
    const scheduleId = `monthly-report-test-${randomUUID()}`;
    const config = loadMonthlyReportConfig({});
    expect(config).toEqual({ cron: '0 9 1-15 * *', schedule: true });
    const first = await ensureMonthlyReportSchedule(p.temporal, { taskQueue: p.config.taskQueue, timeZone: 'Asia/Shanghai', config, scheduleId });
    try {
      const d = await first.describe();
      expect(d.memo?.cron).toBe('0 9 1-15 * *');
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyReportScheduleWorkflow', taskQueue: p.config.taskQueue });
      // The same settings again (a worker restart): kept as it is.
      await ensureMonthlyReportSchedule(p.temporal, { taskQueue: p.config.taskQueue, timeZone: 'Asia/Shanghai', config, scheduleId });
      const changed = await ensureMonthlyReportSchedule(p.temporal, { taskQueue: p.config.taskQueue, timeZone: 'Asia/Shanghai', config: { ...config, cron: '30 8 1-12 * *' }, scheduleId });
      expect((await changed.describe()).memo?.cron).toBe('30 8 1-12 * *');
    } finally {
      await p.temporal.schedule.getHandle(scheduleId).delete();
    }
    expect(loadMonthlyReportConfig({ WARDLINE_MONTHLY_REPORT_SCHEDULE: 'false' }).schedule).toBe(false);
  });
});
