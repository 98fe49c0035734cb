import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { RedmineAdapter } from '../src/adapters/pm-platform/redmine';
import { PmPlatformError, progressMarker } from '../src/adapters/pm-platform/port';
import { PmMapping, REDMINE_DEFAULT_MAPPING, catalogProblems } from '../src/domain/pm-platform/mapping';
import { freePort } from '../src/infra/net';
import { pmStatusQuery } from '../src/shared/pm-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { RedmineServer, startRedmine } from './support/redmine';
import { waitUntil as waitFor } from './support/workflow-input';

/**
 * S15 against a real Redmine (Debian's redmine 5.0.4 on SQLite, served by WEBrick on loopback): one instance for
 * this file, started once. The hospital files and comments as its own account; Wardline acts as another.
 */
/** Redmine is one Ruby process and the machine is shared: generous waits, which end as soon as the condition holds. */
jest.setTimeout(300_000);
const waitUntil = <T>(what: string, probe: () => Promise<T | null | undefined | false>) => waitFor(what, probe, 120_000);

let redmine: RedmineServer;

beforeAll(async () => {
  redmine = await startRedmine();
}, 900_000);

afterAll(async () => {
  await redmine?.close();
});

async function fileIssue(tracker: string, subject: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await redmine.api('hospital', 'POST', '/issues.json', {
    issue: { project_id: redmine.projectId, tracker_id: redmine.id('trackers', tracker), subject, description: `${subject}（科室描述）`, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.issue.id;
}

function adapter(overrides: Partial<ConstructorParameters<typeof RedmineAdapter>[0]> = {}) {
  return new RedmineAdapter({ baseUrl: redmine.url, project: redmine.projectIdentifier, apiKey: redmine.wardlineKey, timeoutMs: 20_000, ...overrides });
}

describe('Redmine adapter (S15) against a real Redmine', () => {
  it('reads the catalogue a mapping is checked against, and names what a wrong mapping lacks', async () => {
    const catalog = await adapter().catalog();
    expect(catalog.trackers).toEqual(['Bug', 'Feature', 'Support']);
    expect(catalog.statuses).toEqual(expect.arrayContaining(['New', 'In Progress', 'Resolved', 'Feedback', 'Closed', 'Rejected']));
    expect(catalog.priorities).toEqual(['Low', 'Normal', 'High', 'Urgent', 'Immediate']);
    expect(catalog.fields).toEqual(['Wardline No.']);
    expect(catalogProblems({ ...REDMINE_DEFAULT_MAPPING, numberField: 'Wardline No.' }, catalog, { zh: 'Redmine', en: 'Redmine' })).toEqual([]);
    const problems = catalogProblems({ ...REDMINE_DEFAULT_MAPPING, trackers: { fault: ['Defect'], requirement: ['Feature'] } }, catalog, { zh: 'Redmine', en: 'Redmine' });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('mapping.trackers.fault[0]');
    expect(problems[0].en).toContain('"Defect"');
    expect(problems[0].zh).toContain('Bug, Feature, Support');
  });

  it('knows the account it acts as, so its own journals are not read back as the hospital’s', async () => {
    expect(await adapter().self()).toEqual({ id: String(redmine.wardlineUserId), name: 'Wardline 运维平台' });
  });

  it('lists what changed since a cursor (closed items too), with journals naming statuses and priorities', async () => {
    const a = adapter();
    const start = await a.listChanged({ updatedOn: new Date((await a.now()) - 1000).toISOString().replace(/\.\d+Z$/, 'Z') }, 50);
    const id = await fileIssue('Bug', '检验系统打印报告乱码', { priority_id: redmine.id('priorities', 'Urgent') });
    const upd = await redmine.api('hospital', 'PUT', `/issues/${id}.json`, { issue: { notes: '急诊也出现了', priority_id: redmine.id('priorities', 'Immediate'), status_id: redmine.id('statuses', 'Rejected') } });
    expect(upd.status).toBe(204);

    const changed = await a.listChanged(start.cursor, 50);
    const item = changed.items.find((i) => i.externalId === String(id));
    expect(item).toBeDefined();
    expect(item).toMatchObject({ tracker: 'Bug', status: 'Rejected', priority: 'Immediate', title: '检验系统打印报告乱码', author: { id: String(redmine.hospitalUserId), name: '李 护士长' } });
    expect(item!.url).toBe(`${redmine.url}/issues/${id}`);
    expect(item!.journals).toHaveLength(1);
    expect(item!.journals[0].notes).toBe('急诊也出现了');
    expect(item!.journals[0].changes).toEqual(
      expect.arrayContaining([
        { field: 'priority', from: 'Urgent', to: 'Immediate' },
        { field: 'status', from: 'New', to: 'Rejected' },
      ]),
    );
    expect(typeof changed.cursor.updatedOn).toBe('string');
    expect(Date.parse(changed.cursor.updatedOn as string)).toBeGreaterThanOrEqual(item!.updatedAt);
  });

  it('posts progress and moves the status as one journal, exactly once per key, and fills the number field', async () => {
    const a = adapter();
    const id = String(await fileIssue('Bug', 'HIS 挂号界面卡顿'));
    const progress = { key: 'INC-20261130-0001:2', text: '已响应：工程师王工已受理。', status: 'In Progress', fields: { 'Wardline No.': 'INC-20261130-0001' } };
    expect(await a.setStatus(id, progress)).toEqual({ outcome: 'sent', warnings: [] });
    expect(await a.setStatus(id, progress)).toEqual({ outcome: 'already', warnings: [] });
    const item = await a.get(id);
    expect(item.status).toBe('In Progress');
    expect(item.fields['Wardline No.']).toBe('INC-20261130-0001');
    expect(item.journals).toHaveLength(1);
    expect(item.journals[0].author.id).toBe(String(redmine.wardlineUserId));
    expect(item.journals[0].notes).toContain('已响应：工程师王工已受理。');
    expect(item.journals[0].notes).toContain(progressMarker(progress.key));

    expect(await a.comment(id, { key: 'INC-20261130-0001:c1', text: '预计今天 17:00 前修复。' })).toEqual({ outcome: 'sent', warnings: [] });
    expect(await a.attachLink(id, { key: 'INC-20261130-0001:l1', url: 'https://wardline.example/reports/1.pdf', title: '维修报告' })).toEqual({ outcome: 'sent', warnings: [] });
    const after = await a.get(id);
    expect(after.journals.map((j) => j.notes?.split('\n')[0])).toEqual(['已响应：工程师王工已受理。', '预计今天 17:00 前修复。', '维修报告：https://wardline.example/reports/1.pdf']);
    expect(after.status).toBe('In Progress');
  });

  it('says which failures may pass (unreachable) and which will not (bad key, unknown project)', async () => {
    const down = new RedmineAdapter({ baseUrl: `http://127.0.0.1:${await freePort()}`, project: 'his', apiKey: 'x', timeoutMs: 2000 });
    const e1 = await down.catalog().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PmPlatformError);
    expect((e1 as PmPlatformError).retryable).toBe(true);

    const e2 = await adapter({ apiKey: 'wrong-key' }).self().catch((e: unknown) => e);
    expect(e2).toMatchObject({ kind: 'auth' });
    expect((e2 as PmPlatformError).retryable).toBe(false);

    const e3 = await adapter({ project: 'no-such-project' }).catalog().catch((e: unknown) => e);
    expect(e3).toMatchObject({ kind: 'config' });
    expect((e3 as Error).message).toContain('no-such-project');
  });
});

describe('working through the hospital’s Redmine, both ways (S15)', () => {
  let p: TestPlatform;
  let itManager: TestUser;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let integrationId: string;
  const MAPPING: PmMapping = { ...REDMINE_DEFAULT_MAPPING, system: { field: null, default: 'SYS-11' }, department: { field: null, default: '放射科' }, numberField: 'Wardline No.' };

  beforeAll(async () => {
    p = await startPlatform({ config: { pm: { retryInitialMs: 200, retryMaxMs: 500, retryAttempts: 2 } } });
    itManager = await p.user(['it_manager'], '信息科主任');
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
  });
  afterAll(async () => {
    if (integrationId) await p.temporal.workflow.getHandle(`pm-integration-${integrationId}`).terminate('test done').catch(() => undefined);
    await p?.stop();
  });

  const setup = (mapping: unknown, name = '院内 Redmine', apiKey = redmine.wardlineKey) =>
    p.call('POST', '/integrations', itManager.token, {
      name,
      kind: 'redmine',
      redmine: { baseUrl: redmine.url, project: redmine.projectIdentifier, apiKey },
      mapping,
      // Two seconds between rounds leave room to observe "within one poll" on a loaded machine.
      pollIntervalSeconds: 2,
    });
  const integration = async () => (await p.call('GET', `/integrations/${integrationId}`, itManager.token)).body;
  const linkOf = (externalId: number) =>
    waitUntil(`a record for Redmine #${externalId}`, async () => {
      const item = (await integration()).items.find((i: any) => i.externalId === String(externalId));
      return item && item.syncState === 'synced' && item;
    });
  const journals = async (id: number) => (await redmine.api('admin', 'GET', `/issues/${id}.json?include=journals`)).body.issue;
  const wardlineJournals = async (id: number) => (await journals(id)).journals.filter((j: any) => j.user.id === redmine.wardlineUserId);
  const hospitalWrites = (id: number, issue: Record<string, unknown>) => redmine.api('hospital', 'PUT', `/issues/${id}.json`, { issue }).then((r) => expect(r.status).toBe(204));

  it('refuses a mapping naming a tracker Redmine does not have: a 422 naming the field at setup, nothing started', async () => {
    const res = await setup({ ...MAPPING, trackers: { fault: ['Defect'], requirement: ['Feature'] } }, 'wrong tracker');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('INTEGRATION_MAPPING_INVALID');
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].field).toBe('mapping.trackers.fault[0]');
    expect(res.body.errors[0].reasons[0]).toMatch(/Defect.*Bug, Feature, Support/);
    expect(res.body.message).toMatch(/^.+ \/ .+$/);
    const bad = await setup(MAPPING, 'wrong key', 'not-the-key-0000');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('redmine.apiKey');
    expect((await p.call('GET', '/integrations', itManager.token)).body).toEqual([]);
  });

  it('connects with a mapping Redmine has, never returning the API key', async () => {
    const res = await setup(MAPPING);
    expect(res.status).toBe(201);
    integrationId = res.body.id;
    expect(JSON.stringify(res.body)).not.toContain(redmine.wardlineKey);
    expect(res.body).toMatchObject({ kind: 'redmine', redmine: { baseUrl: redmine.url, project: 'his', apiKey: { configured: true } }, workflow: { status: 'RUNNING' } });
    expect(typeof res.body.cursor.updatedOn).toBe('string');
    const [row] = await p.ds.query(`SELECT * FROM pm_integrations WHERE id = $1`, [integrationId]);
    expect(JSON.stringify(row)).not.toContain(redmine.wardlineKey);
  });

  let bugId: number;
  let incidentNumber: string;

  it('turns a bug filed in Redmine into an incident within one poll, and says so in Redmine with the number', async () => {
    const poller = p.temporal.workflow.getHandle(`pm-integration-${integrationId}`);
    const before = (await poller.query(pmStatusQuery)).rounds;
    bugId = await fileIssue('Bug', 'PACS 影像无法调阅', { priority_id: redmine.id('priorities', 'Urgent') });
    const item = await linkOf(bugId);
    // The round running while the bug was filed may have missed it; the next one took it (and may have ended).
    expect((await poller.query(pmStatusQuery)).rounds - before).toBeLessThanOrEqual(2);
    expect((await integration()).backlog).toMatchObject({ inbound: { more: false, waiting: 0 } });
    expect(item.record.kind).toBe('incident');
    incidentNumber = item.record.number;
    const incident = (await p.call('GET', `/incidents/${incidentNumber}`, dispatcher.token)).body;
    expect(incident).toMatchObject({ channel: 'pm-platform', priority: 'P1', title: 'PACS 影像无法调阅', reporter: { name: '李 护士长', department: '放射科' }, state: 'reported' });
    const issue = await journals(bugId);
    expect(issue.custom_fields.find((f: any) => f.name === 'Wardline No.').value).toBe(incidentNumber);
    const notes = await wardlineJournals(bugId);
    expect(notes).toHaveLength(1);
    expect(notes[0].notes).toContain(`故障单 ${incidentNumber}：已登记`);
    expect(notes[0].notes).toContain(progressMarker(`${incidentNumber}:1`));
    // A repeat poll changes nothing: one incident for the one bug.
    await p.call('POST', `/integrations/${integrationId}/poll`, itManager.token);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await p.ds.query(`SELECT count(*)::int AS n FROM pm_links WHERE external_id = $1`, [String(bugId)])).toEqual([{ n: 1 }]);
    expect(await wardlineJournals(bugId)).toHaveLength(1);
  });

  it('puts what the hospital writes in Redmine on the incident’s timeline', async () => {
    await hospitalWrites(bugId, { notes: '急诊影像也打不开了' });
    await waitUntil('the comment on the timeline', async () => {
      const detail = (await p.call('GET', `/incidents/${incidentNumber}`, dispatcher.token)).body;
      return detail.timeline.find((e: any) => e.type === 'comment' && e.note === '急诊影像也打不开了');
    });
    const detail = (await p.call('GET', `/incidents/${incidentNumber}`, dispatcher.token)).body;
    expect(detail.state).toBe('reported');
    expect(detail.timeline.filter((e: any) => e.type === 'comment')).toHaveLength(1);
    expect(detail.timeline.find((e: any) => e.type === 'comment').actor.name).toBe('李 护士长（院内 Redmine）');
  });

  it('shows the acknowledgement, the resolution and the closure in Redmine as notes and status changes', async () => {
    const act = (action: string, token: string, body: Record<string, unknown> = {}) => p.call('POST', `/incidents/${incidentNumber}/${action}`, token, body).then((r) => expect(r.status).toBe(200));
    await act('acknowledge', engineer.token);
    await waitUntil('In Progress in Redmine', async () => (await journals(bugId)).status.name === 'In Progress');
    await act('resolve', engineer.token, { cause: '存储卷写满', fix: '清理缓存并扩容', category: 'system_error_fix' });
    await waitUntil('Resolved in Redmine', async () => (await journals(bugId)).status.name === 'Resolved');
    await act('confirm', dispatcher.token);
    await act('close', dispatcher.token);
    const notes = await waitUntil('five notes from Wardline', async () => {
      const n = await wardlineJournals(bugId);
      return n.length === 5 && n;
    });
    // Each note with the status it set, in one list, so a failure shows the whole story.
    const status = (j: any) => j.details.find((d: any) => d.name === 'status_id')?.new_value ?? null;
    expect(notes.map((j: any) => [j.notes.split('\n')[0], status(j)])).toEqual([
      [`【运维进展】故障单 ${incidentNumber}：已登记`, null],
      [`【运维进展】故障单 ${incidentNumber}：已响应`, String(redmine.id('statuses', 'In Progress'))],
      [`【运维进展】故障单 ${incidentNumber}：已修复，请院方确认`, String(redmine.id('statuses', 'Resolved'))],
      [`【运维进展】故障单 ${incidentNumber}：院方已确认修复`, String(redmine.id('statuses', 'Closed'))],
      [`【运维进展】故障单 ${incidentNumber}：已关闭`, null],
    ]);
    expect(notes[2].notes).toContain('故障原因：存储卷写满');
    expect(notes[2].notes).toContain('处理措施：清理缓存并扩容');
    expect((await journals(bugId)).status.name).toBe('Closed');
    const item = (await integration()).items.find((i: any) => i.externalId === String(bugId));
    expect(item).toMatchObject({ syncState: 'synced', pendingDeliveries: 0, record: { state: 'closed' }, platformStatus: 'Closed' });
  });

  it('turns a feature request into a modification request', async () => {
    const featureId = await fileIssue('Feature', '检查报告增加科室筛选');
    const item = await linkOf(featureId);
    expect(item.record.kind).toBe('modification');
    const mod = (await p.call('GET', `/modifications/${item.record.number}`, dispatcher.token)).body;
    expect(mod).toMatchObject({ number: expect.stringMatching(/^MOD-/), type: 'improvement', title: '检查报告增加科室筛选', state: 'submitted' });
    const opened = await wardlineJournals(featureId);
    expect(opened).toHaveLength(1);
    expect(opened[0].notes).toContain(`修改申请 ${item.record.number}：已登记`);
    expect(opened[0].notes).toContain('交付时限');
    // Its assessment in Wardline moves it in Redmine too.
    const assessed = await p.call('POST', `/modifications/${item.record.number}/assess`, engineer.token, { feasible: true, effortDays: 2, schemaChange: false });
    expect(assessed.status).toBe(200);
    await waitUntil('In Progress in Redmine', async () => (await journals(featureId)).status.name === 'In Progress');
    const notes = await wardlineJournals(featureId);
    expect(notes).toHaveLength(2);
    expect(notes[1].notes.split('\n')[0]).toBe(`【运维进展】修改申请 ${item.record.number}：已完成评估`);
  });

  it('cancels an incident the hospital rejects in Redmine, and takes a priority change as the command', async () => {
    const id = await fileIssue('Bug', '自助机无法打印', { priority_id: redmine.id('priorities', 'Normal') });
    const item = await linkOf(id);
    await hospitalWrites(id, { priority_id: redmine.id('priorities', 'Immediate') });
    await waitUntil('P1 in Wardline', async () => (await p.call('GET', `/incidents/${item.record.number}`, dispatcher.token)).body.priority === 'P1');
    await hospitalWrites(id, { notes: '重启后恢复，误报', status_id: redmine.id('statuses', 'Rejected') });
    const detail = await waitUntil('the incident cancelled', async () => {
      const d = (await p.call('GET', `/incidents/${item.record.number}`, dispatcher.token)).body;
      return d.state === 'cancelled' && d;
    });
    expect(detail.cancelReason).toContain('Rejected');
    expect(detail.timeline.map((e: any) => e.type)).toEqual(['opened', 'change_priority', 'comment', 'cancel']);
  });

  it('settles a status set on both sides by the documented rule: Wardline’s state wins, the conflict is shown and noted', async () => {
    const id = await fileIssue('Bug', '检验系统报告乱码');
    const item = await linkOf(id);
    const n = item.record.number;
    expect((await p.call('POST', `/incidents/${n}/arrive`, engineer.token, {})).status).toBe(200);
    await waitUntil('In Progress in Redmine', async () => (await journals(id)).status.name === 'In Progress');
    // The hospital marks it Feedback, which means nothing to Wardline's process while an engineer is on site.
    await hospitalWrites(id, { status_id: redmine.id('statuses', 'Feedback') });
    const conflict = await waitUntil('the conflict shown', async () => (await integration()).conflicts.find((c: any) => c.externalId === String(id)));
    expect(conflict).toMatchObject({ recordNumber: n, author: '李 护士长', platformStatus: 'Feedback', wardlineState: 'on_site', reason: 'unmapped', restoredStatus: 'In Progress' });
    await waitUntil('Redmine set back to In Progress', async () => (await journals(id)).status.name === 'In Progress');
    const last = (await wardlineJournals(id)).pop();
    expect(last.notes).toContain('【状态冲突】');
    expect(last.notes).toContain('以 Wardline 流程状态为准');
    const timeline = (await p.call('GET', `/incidents/${n}`, dispatcher.token)).body.timeline;
    expect(timeline.find((e: any) => e.type === 'comment' && e.note.includes('状态冲突'))).toBeDefined();
    expect((await p.call('GET', `/incidents/${n}`, dispatcher.token)).body.state).toBe('on_site');
  });

  it('a status changed on both sides: the hospital rejects a fault Wardline has just fixed; the fix stands, the conflict is shown', async () => {
    const id = await fileIssue('Bug', '手麻系统无法打印麻醉单');
    const item = await linkOf(id);
    const n = item.record.number;
    expect((await p.call('POST', `/incidents/${n}/arrive`, engineer.token, {})).status).toBe(200);
    // Wardline resolves; the hospital marks the issue Rejected right after, whether or not Wardline's progress has
    // reached Redmine yet (either order ends the same way).
    const resolved = await p.call('POST', `/incidents/${n}/resolve`, engineer.token, { cause: '打印驱动丢失', fix: '重装驱动', category: 'system_error_fix' });
    expect(resolved.status).toBe(200);
    await hospitalWrites(id, { status_id: redmine.id('statuses', 'Rejected') });
    const conflict = await waitUntil('the conflict shown', async () => (await integration()).conflicts.find((c: any) => c.externalId === String(id)));
    // Rejected means "cancel", which the process refuses for a resolved fault (S14: the hospital confirms or reopens it).
    expect(conflict).toMatchObject({ platformStatus: 'Rejected', wardlineState: 'resolved', reason: 'refused', command: 'cancel', restoredStatus: 'Resolved' });
    await waitUntil('Redmine back at Resolved, nothing pending', async () => {
      const it = (await integration()).items.find((i: any) => i.externalId === String(id));
      return (await journals(id)).status.name === 'Resolved' && it.syncState === 'synced' && it;
    });
    expect((await p.call('GET', `/incidents/${n}`, dispatcher.token)).body.state).toBe('resolved');
    const texts = (await wardlineJournals(id)).map((j: any) => j.notes.split('\n')[0]);
    expect(texts.filter((t: string) => t.startsWith('【状态冲突】'))).toHaveLength(1);
    expect(texts.filter((t: string) => t.endsWith('已修复，请院方确认'))).toHaveLength(1);
  });

  it('delays progress while Redmine is down and delivers it exactly once when it is back', async () => {
    const id = await fileIssue('Bug', 'HIS 收费窗口卡顿');
    const item = await linkOf(id);
    const n = item.record.number;
    await redmine.stop();
    try {
      expect((await p.call('POST', `/incidents/${n}/acknowledge`, engineer.token, {})).status).toBe(200);
      const failing = await waitUntil('the failure shown', async () => {
        const body = await integration();
        const it = body.items.find((i: any) => i.externalId === String(id));
        return body.lastError && it.syncState === 'failing' && body;
      });
      expect(failing.backlog.outbound.pending).toBeGreaterThanOrEqual(1);
      expect(failing.lastError.message).toMatch(/ECONNREFUSED|fetch failed|no answer/);
    } finally {
      await redmine.start();
    }
    await waitUntil('the acknowledgement in Redmine', async () => (await journals(id)).status.name === 'In Progress');
    await waitUntil('nothing pending', async () => (await integration()).backlog.outbound.pending === 0);
    await new Promise((r) => setTimeout(r, 2500));
    const notes = await wardlineJournals(id);
    expect(notes.map((j: any) => j.notes.split('\n')[0])).toEqual([`【运维进展】故障单 ${n}：已登记`, `【运维进展】故障单 ${n}：已响应`]);
    expect(notes.filter((j: any) => j.notes.includes(progressMarker(`${n}:2`)))).toHaveLength(1);
    const body = await integration();
    expect(body.lastError).toBeNull();
    expect(body.items.find((i: any) => i.externalId === String(id)).syncState).toBe('synced');
  });
});
