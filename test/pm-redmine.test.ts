import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedmineAdapter } from '../src/adapters/pm-platform/redmine';
import { PmPlatformError, progressMarker } from '../src/adapters/pm-platform/port';
import { REDMINE_DEFAULT_MAPPING, catalogProblems } from '../src/domain/pm-platform/mapping';
import { freePort } from '../src/infra/net';
import { RedmineServer, startRedmine } from './support/redmine';

/**
 * S15 against a real Redmine (Debian's redmine 5.0.4 on SQLite, served by WEBrick on loopback): one instance for
 * this file, started once. The hospital files and comments as its own account; Wardline acts as another.
 */
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
    expect(catalogProblems({ ...REDMINE_DEFAULT_MAPPING, numberField: 'Wardline No.' }, catalog, 'Redmine')).toEqual([]);
    const problems = catalogProblems({ ...REDMINE_DEFAULT_MAPPING, trackers: { fault: ['Defect'], requirement: ['Feature'] } }, catalog, 'Redmine');
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('mapping.trackers.fault[0]');
    expect(problems[0].reason).toContain('"Defect"');
    expect(problems[0].reason).toContain('Bug, Feature, Support');
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
