import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S4 with real-sized scripts: the SQL of every revision is kept in PostgreSQL and the change workflow carries only
 * ids and hashes (issue 9). Seven revisions of ~380 KB each would be 2.6 MB of SQL in the workflow's state, past
 * Temporal's 2 MB payload limit; here they pass, and no script text is ever in the workflow's history.
 */
describe('change scripts travel by id, not by text', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let reviewer: TestUser;
  const HOUR = 3_600_000;
  const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  /** A vendor upgrade script's size: a long header comment, then the statements. */
  const script = (marker: string, statement: string) => `-- ${marker} ${'release notes and checks. '.repeat(7_500)}\n${statement}\n`;

  beforeAll(async () => {
    p = await startPlatform();
    engineer = await p.user(['engineer'], '李工');
    reviewer = await p.user(['reviewer'], '信息科评审');
  });
  afterAll(() => p?.stop());

  it('seven large revisions: each readable with its hash and diff, and the history holds none of the SQL', async () => {
    const forward = (n: number) => script(`FWD-MARKER-${n}`, `UPDATE his.dict_dept SET dept_name = 'R${n}' WHERE dept_code = 'RAD';`);
    const rollback = (n: number) => script(`RBK-MARKER-${n}`, `UPDATE his.dict_dept SET dept_name = 'R${n - 1}' WHERE dept_code = 'RAD';`);
    expect(forward(1).length + rollback(1).length).toBeGreaterThan(370_000);
    const created = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '字典批量更新',
      reason: '年度字典维护',
      dialect: 'postgresql',
      forwardScript: forward(1),
      rollbackScript: rollback(1),
      objects: [],
      risk: 'low',
      window: { start: new Date(Date.now() - HOUR).toISOString(), end: new Date(Date.now() + HOUR).toISOString() },
    });
    expect(created.status).toBe(201);
    const n = created.body.number;
    for (let rev = 2; rev <= 7; rev++) {
      expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'send_back', comment: `第${rev - 1}版请修改` })).status).toBe(200);
      const revised = await p.call('POST', `/changes/${n}/revisions`, engineer.token, { dialect: 'postgresql', forwardScript: forward(rev), rollbackScript: rollback(rev), objects: [], risk: 'low' });
      expect(revised.status).toBe(200);
      expect(revised.body.currentRevision).toBe(rev);
    }
    const approved = await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' });
    expect(approved.body).toMatchObject({ state: 'approved', approvedRevision: 7 });

    const detail = await p.call('GET', `/changes/${n}`, reviewer.token);
    expect(detail.status).toBe(200);
    expect(detail.body.revisions).toHaveLength(7);
    detail.body.revisions.forEach((r: any, i: number) => {
      expect(r.forwardScript).toBe(forward(i + 1));
      expect(r.rollbackScript).toBe(rollback(i + 1));
      expect(r.forwardSha256).toBe(sha256(forward(i + 1)));
      expect(r.dialect).toBe('postgresql');
    });
    expect(detail.body.revisions[6].diffFromPrevious.forward.length).toBeGreaterThan(0);

    const [row] = await p.ds.query(`SELECT workflow_id, view FROM changes WHERE number = $1`, [n]);
    expect(JSON.stringify(row.view)).not.toContain('FWD-MARKER');
    const history = await p.temporal.workflow.getHandle(row.workflow_id).fetchHistory();
    const events = history.events ?? [];
    expect(events.length).toBeGreaterThan(20);
    const payloads = events.flatMap((e) =>
      [
        e.workflowExecutionStartedEventAttributes?.input,
        e.activityTaskScheduledEventAttributes?.input,
        e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args,
        e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success,
      ].flatMap((p) => p?.payloads ?? []),
    );
    expect(payloads.length).toBeGreaterThan(20);
    const texts = payloads.map((x) => Buffer.from(x.data ?? new Uint8Array()).toString('utf8'));
    expect(texts.filter((t) => t.includes('MARKER'))).toEqual([]);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(100_000);
  });
});
