import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S14 end to end on real PostgreSQL and Temporal: finished work becomes a maintenance record, both parties confirm
 * or dispute it, the ledger is hash-chained, a row edited behind the API's back is named by verification, and
 * concurrent confirmations never fork the chain.
 */
describe('maintenance records and the ledger (S14)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let pm: TestUser;
  let itManager: TestUser;

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  async function resolvedIncident(title: string, system = 'SYS-11'): Promise<string> {
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: system,
      title,
      description: `${title}：科室报告无法使用`,
      reporter: { name: '李护士长', department: '放射科', phone: '8021' },
      priority: 'P2',
      channel: 'phone',
      assigneeId: engineer.id,
    });
    expect(opened.status).toBe(201);
    const n = opened.body.number;
    for (const [action, body] of [
      ['acknowledge', {}],
      ['arrive', { note: '已到机房' }],
      ['resolve', { cause: '存储卷写满', fix: '清理缓存并扩容', category: 'system_error_fix' }],
    ] as const) {
      const res = await p.call('POST', `/incidents/${n}/${action}`, engineer.token, body);
      expect({ action, status: res.status }).toEqual({ action, status: 200 });
    }
    return n;
  }

  const recordOf = (source: string) =>
    waitFor(`record of ${source}`, async () => {
      const res = await p.call('GET', `/records?source=${source}&state=pending`, dispatcher.token);
      return res.body.items?.[0];
    });

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    pm = await p.user(['project_manager'], '张经理');
    itManager = await p.user(['it_manager'], '信息科主任');
  });
  afterAll(() => p?.stop());

  it('a resolved incident becomes a record both parties confirm, traceable to its timeline', async () => {
    const n = await resolvedIncident('PACS 影像无法调阅');
    const rec = await recordOf(n);
    expect(rec.number).toBe(`MR-${n}-4`);
    expect(rec.type).toBe('incident');
    expect(rec.state).toBe('pending');
    expect(rec.content).toMatchObject({ problem: 'PACS 影像无法调阅：科室报告无法使用', cause: '存储卷写满', category: 'system_error_fix', priority: 'P2' });
    expect(rec.content.process).toContain('清理缓存并扩容');
    expect(rec.content.performedBy).toEqual([{ id: engineer.id, name: '李工' }]);
    expect(rec.content.sla.clocks.map((c: any) => c.kind)).toEqual(['respond', 'on_site', 'repair']);
    expect(rec.source.link).toBe(`/incidents/${n}`);
    expect(rec.system.code).toBe('SYS-11');
    expect(rec.allowedActions).toEqual(['confirm:hospital', 'dispute:hospital']);

    // An engineer neither confirms nor disputes (403): the vendor signs through its project manager.
    expect((await p.call('POST', `/records/${rec.number}/confirm`, engineer.token, {})).status).toBe(403);
    const h = await p.call('POST', `/records/${rec.number}/confirm`, dispatcher.token, { comment: '科室确认' });
    expect(h.status).toBe(200);
    expect(h.body.state).toBe('pending');
    expect(h.body.hospital.by.name).toBe('王调度');
    // The same side twice is refused with 409.
    expect((await p.call('POST', `/records/${rec.number}/confirm`, itManager.token, {})).status).toBe(409);
    const v = await p.call('POST', `/records/${rec.number}/confirm`, pm.token, {});
    expect(v.status).toBe(200);
    expect(v.body.state).toBe('confirmed');
    expect(v.body.entries.map((e: any) => [e.kind, e.signer.party])).toEqual([
      ['recorded', 'system'],
      ['confirmed', 'hospital'],
      ['confirmed', 'vendor'],
    ]);
    // Each entry's prev_hash is the entry before it's hash.
    const all = await p.ds.query(`SELECT seq, prev_hash, entry_hash FROM ledger_entries ORDER BY seq`);
    for (let i = 1; i < all.length; i++) expect(all[i].prev_hash).toBe(all[i - 1].entry_hash);
    expect(v.body.timeline.map((t: any) => t.type)).toEqual(['opened', 'acknowledge', 'arrive', 'resolve']);
    // A confirmed record is not disputed afterwards.
    expect((await p.call('POST', `/records/${rec.number}/dispute`, itManager.token, { reason: 'x' })).status).toBe(409);

    const listed = await p.call('GET', `/records?systemId=SYS-11&type=incident&state=confirmed&confirmedBy=vendor`, dispatcher.token);
    expect(listed.body.items.map((r: any) => r.number)).toContain(rec.number);
    const none = await p.call('GET', `/records?systemId=SYS-12&state=confirmed`, dispatcher.token);
    expect(none.body.items.map((r: any) => r.number)).not.toContain(rec.number);
    expect((await p.call('GET', '/records/verify', dispatcher.token)).body).toMatchObject({ ok: true, firstBad: null });
  });

  it('a hospital dispute reopens the incident; the next resolution brings a new record', async () => {
    const n = await resolvedIncident('HIS 挂号缓慢');
    const rec = await recordOf(n);
    const d = await p.call('POST', `/records/${rec.number}/dispute`, dispatcher.token, { reason: '科室反馈仍然缓慢' });
    expect(d.status).toBe(200);
    expect(d.body.reopened).toBe(true);
    const incident = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(incident.body.state).toBe('reopened');
    const superseded = await waitFor('superseded', async () => {
      const r = await p.call('GET', `/records/${rec.number}`, dispatcher.token);
      return r.body.state === 'superseded' ? r.body : undefined;
    });
    expect(superseded.entries.map((e: any) => e.kind)).toEqual(['recorded', 'disputed', 'superseded']);
    const again = await p.call('POST', `/incidents/${n}/resolve`, engineer.token, { cause: '索引失效', fix: '重建索引', category: 'system_error_fix' });
    expect(again.status).toBe(200);
    const next = await recordOf(n);
    expect(next.number).not.toBe(rec.number);
    expect(next.content.cause).toBe('索引失效');
    expect(next.content.process).toContain('科室反馈仍然缓慢');
  });

  it('a dispute asking for a correction: the vendor corrects with a new entry pointing at the dispute, then both confirm', async () => {
    const n = await resolvedIncident('LIS 报告打印乱码');
    const rec = await recordOf(n);
    const d = await p.call('POST', `/records/${rec.number}/dispute`, itManager.token, { reason: '原因写错：是打印驱动', remedy: 'correct' });
    expect(d.status).toBe(200);
    expect(d.body.reopened).toBe(false);
    expect(d.body.record.state).toBe('disputed');
    expect(d.body.record.allowedActions).toEqual([]);
    // Vendor-side only: the hospital does not write the vendor's correction.
    expect((await p.call('POST', `/records/${rec.number}/corrections`, dispatcher.token, { cause: 'x', note: 'y' })).status).toBe(403);
    const c = await p.call('POST', `/records/${rec.number}/corrections`, engineer.token, { cause: '打印驱动版本不兼容', note: '按科室意见更正原因' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ state: 'pending', version: 2, hospital: null, vendor: null });
    expect(c.body.content).toMatchObject({ cause: '打印驱动版本不兼容', correctionNote: '按科室意见更正原因', problem: rec.content.problem });
    const [disputed, corrected] = c.body.entries.slice(1);
    expect(disputed.kind).toBe('disputed');
    expect(corrected).toMatchObject({ kind: 'corrected', correctsSeq: disputed.seq });
    // The original entry is still there, unchanged: corrections never rewrite.
    const [orig] = await p.ds.query(`SELECT content FROM ledger_entries WHERE seq = $1`, [c.body.entries[0].seq]);
    expect(orig.content.cause).toBe('存储卷写满');
    expect((await p.call('POST', `/records/${rec.number}/confirm`, dispatcher.token, {})).body.state).toBe('pending');
    expect((await p.call('POST', `/records/${rec.number}/confirm`, pm.token, {})).body.state).toBe('confirmed');
  });

  it('concurrent confirmations never fork the chain', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 4; i++) numbers.push((await recordOf(await resolvedIncident(`并发确认 ${i}`, 'SYS-12'))).number);
    const before = Number((await p.ds.query(`SELECT count(*) AS n FROM ledger_entries`))[0].n);
    // Both sides of every record at once: 8 appends racing for the head.
    const results = await Promise.all(numbers.flatMap((num) => [dispatcher, pm].map((u) => p.call('POST', `/records/${num}/confirm`, u.token, {}))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const rows = await p.ds.query(`SELECT seq, prev_hash, entry_hash FROM ledger_entries ORDER BY seq`);
    expect(rows.length).toBe(before + 8);
    rows.forEach((r: any, i: number) => {
      expect(Number(r.seq)).toBe(i + 1);
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1].entry_hash);
    });
    expect(new Set(rows.map((r: any) => r.prev_hash)).size).toBe(rows.length);
    for (const num of numbers) expect((await p.call('GET', `/records/${num}`, dispatcher.token)).body.state).toBe('confirmed');
    expect((await p.call('GET', '/records/verify', dispatcher.token)).body.ok).toBe(true);
  });

  it('an entry edited behind the API is named by verification; the table refuses plain UPDATE and DELETE', async () => {
    const ok = await p.call('GET', '/records/verify', dispatcher.token);
    expect(ok.body.ok).toBe(true);
    const target = Math.max(2, Math.floor(ok.body.entries / 2));
    await expect(p.ds.query(`UPDATE ledger_entries SET signer_name = 'x' WHERE seq = $1`, [target])).rejects.toThrow(/append-only/);
    await expect(p.ds.query(`DELETE FROM ledger_entries WHERE seq = $1`, [target])).rejects.toThrow(/append-only/);
    // Someone with the database owner's rights switches the trigger off and rewrites the content of one entry.
    await p.ds.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_rewrite`);
    await p.ds.query(`UPDATE ledger_entries SET content = jsonb_set(content, '{comment}', '"篡改"') WHERE seq = $1`, [target]);
    await p.ds.query(`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_no_rewrite`);
    const bad = await p.call('GET', '/records/verify', dispatcher.token);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.firstBad).toMatchObject({ seq: target, reason: 'content_hash' });
    expect(bad.body.firstBad.recordNumber).toMatch(/^MR-INC-/);
    expect(bad.body.entries).toBe(target - 1);
    expect(bad.body.message).toContain(`台账第 ${target} 条不符`);
    // The CLI says the same and fails, for a cron job or an auditor without an API token.
    const root = resolve(__dirname, '..');
    const cli = spawnSync(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/wardline.ts', 'records', 'verify'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: p.db.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.status).toBe(3);
    expect(cli.stdout).toContain(`ledger broken at entry #${target} (record ${bad.body.firstBad.recordNumber}): content_hash`);
  });
});
