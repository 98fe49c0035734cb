/**
 * CMDB at scale (P1, issue 6): builds 10,000 items and 50,000 relations in a fresh database, then times, over HTTP
 * against the real API, impact analysis (recursive SQL) on random items, dependencies and the topology view,
 * beside a plain indexed one-row SELECT and GET /cmdb/items/:id in the same run. Target: an impact query under 100 ms.
 * Infrastructure: DATABASE_URL or an embedded PostgreSQL. Temporal is not needed (the CMDB routes do not use it).
 * Every run uses a fresh database and removes it at the end. Any non-200 answer exits 1. Run: npm run bench:cmdb
 * Knobs: BENCH_ITEMS (default 10000), BENCH_RELATIONS (default 50000), BENCH_N (queries per measure, default 200).
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/api/app.module';
import { loadConfig } from '../src/config';
import { DEPENDENCY_RELATIONS, ItemType } from '../src/domain/cmdb';
import { openDatabase } from '../src/persistence/data-source';
import { issueToken } from '../src/persistence/users-store';
import { Cleanup, benchDatabase, printTable, runBench, intEnv, percentile } from './support';

const ITEMS = intEnv('BENCH_ITEMS', 10_000, 1000);
const RELATIONS = intEnv('BENCH_RELATIONS', 50_000, 1000);
const N = intEnv('BENCH_N', 200, 1);
const TARGET_MS = 100;

/** Share of the items by type; the seeded 37 business systems count towards theirs. */
const MIX: [ItemType, number][] = [
  ['business_system', 0.03],
  ['application_module', 0.2],
  ['interface', 0.06],
  ['middleware', 0.08],
  ['database', 0.15],
  ['server', 0.3],
  ['storage', 0.06],
  ['network_device', 0.08],
  ['backup_job', 0.04],
];

/**
 * Relations as (type, source type, target type, share). Dependencies go from a higher layer to a lower one
 * (business → application → middleware/database → server → storage/backup), and application → application only
 * from a lower index to a higher, so the generated graph has no cycle (the API would refuse one).
 */
const EDGES: [string, ItemType, ItemType, number][] = [
  ['depends_on', 'business_system', 'application_module', 0.06],
  ['uses_database', 'business_system', 'database', 0.01],
  ['interfaces_with', 'business_system', 'business_system', 0.01],
  ['depends_on', 'application_module', 'application_module', 0.06],
  ['runs_on', 'application_module', 'server', 0.1],
  ['uses_database', 'application_module', 'database', 0.1],
  ['depends_on', 'application_module', 'middleware', 0.05],
  ['depends_on', 'business_system', 'interface', 0.02],
  ['runs_on', 'interface', 'server', 0.02],
  ['runs_on', 'middleware', 'server', 0.03],
  ['runs_on', 'database', 'server', 0.05],
  ['backed_up_by', 'database', 'backup_job', 0.03],
  ['depends_on', 'server', 'storage', 0.15],
  ['connects_to', 'server', 'network_device', 0.2],
  ['backed_up_by', 'server', 'backup_job', 0.05],
  ['connects_to', 'network_device', 'network_device', 0.01],
  ['runs_on', 'server', 'server', 0.05],
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Measure {
  label: string;
  latenciesMs: number[];
  failures: number;
  note: string;
}

async function measure(label: string, ids: string[], op: (id: string) => Promise<{ ok: boolean; note?: number }>): Promise<Measure & { notes: number[] }> {
  const latenciesMs: number[] = [];
  const notes: number[] = [];
  let failures = 0;
  for (const id of ids) {
    const t0 = process.hrtime.bigint();
    const r = await op(id);
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!r.ok) failures++;
    if (r.note !== undefined) notes.push(r.note);
  }
  return { label, latenciesMs, failures, notes, note: '' };
}

async function benchmark(cleanups: Cleanup[]): Promise<boolean> {
  let exitCode = 0;
  {
    const { pgKind, dbName, dbUrl } = await benchDatabase(cleanups, 'cmdb');
    const ds: DataSource = await openDatabase(dbUrl, { migrate: true, poolSize: 10 });
    cleanups.push({ name: 'close the DataSource', run: async () => ds.isInitialized && ds.destroy() });
    const pgVersion = (await ds.query('SHOW server_version'))[0].server_version;

    // Build the graph: items by type, then relations by the shares above, in bulk (unnest of arrays, 5,000 a statement).
    const buildStart = process.hrtime.bigint();
    const random = rng(20261127);
    const byType = new Map<ItemType, string[]>();
    for (const row of await ds.query(`SELECT id, type FROM cmdb_items`)) byType.set(row.type, [...(byType.get(row.type) ?? []), row.id]);
    const newItems: { id: string; type: ItemType; name: string; attributes: string; revenue: number | null }[] = [];
    const toMake = ITEMS - 37;
    for (const [type, share] of MIX) {
      const count = Math.round(toMake * share) + (type === 'server' ? toMake - MIX.reduce((s, [, sh]) => s + Math.round(toMake * sh), 0) : 0);
      const ids = byType.get(type) ?? [];
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        ids.push(id);
        const attributes =
          type === 'server' ? { os: random() < 0.6 ? 'Windows Server' : 'Linux', ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, cpuCores: 8 }
          : type === 'database' ? { engine: random() < 0.5 ? 'oracle' : 'sqlserver' }
          : type === 'middleware' ? { product: 'Tomcat' }
          : type === 'network_device' ? { kind: 'switch' }
          : type === 'storage' ? { kind: 'san' }
          : type === 'interface' ? { protocol: 'hl7' }
          : type === 'backup_job' ? { schedule: '0 2 * * *' }
          : {};
        newItems.push({ id, type, name: `${type}-${i}`, attributes: JSON.stringify(attributes), revenue: type === 'business_system' ? Math.round(random() * 20000) : null });
      }
      byType.set(type, ids);
    }
    for (let i = 0; i < newItems.length; i += 5000) {
      const chunk = newItems.slice(i, i + 5000);
      await ds.query(
        `INSERT INTO cmdb_items (id, type, name, display_name, attributes, revenue_per_hour)
         SELECT id, type, name, name, attributes::jsonb, revenue FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::numeric[]) AS t(id, type, name, attributes, revenue)`,
        [chunk.map((x) => x.id), chunk.map((x) => x.type), chunk.map((x) => x.name), chunk.map((x) => x.attributes), chunk.map((x) => x.revenue)],
      );
    }
    const seen = new Set<string>();
    const rels: [string, string, string][] = [];
    const shareSum = EDGES.reduce((s, e) => s + e[3], 0);
    for (const [type, from, to, share] of EDGES) {
      const want = Math.round((RELATIONS * share) / shareSum);
      const sources = byType.get(from)!;
      const targets = byType.get(to)!;
      let made = 0;
      for (let attempts = 0; made < want && attempts < want * 20; attempts++) {
        let si = Math.floor(random() * sources.length);
        let ti = Math.floor(random() * targets.length);
        if (from === to) {
          if (si === ti) continue;
          if (si > ti) [si, ti] = [ti, si]; // lower index → higher: acyclic within a type
        }
        const key = `${type}|${sources[si]}|${targets[ti]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        rels.push([type, sources[si], targets[ti]]);
        made++;
      }
    }
    for (let i = 0; i < rels.length; i += 5000) {
      const chunk = rels.slice(i, i + 5000);
      await ds.query(`INSERT INTO cmdb_relations (type, source_id, target_id) SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[])`, [
        chunk.map((r) => r[0]),
        chunk.map((r) => r[1]),
        chunk.map((r) => r[2]),
      ]);
    }
    await ds.query(`ANALYZE cmdb_items; ANALYZE cmdb_relations`);
    const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
    const [{ items, relations }] = await ds.query(`SELECT (SELECT count(*)::int FROM cmdb_items) AS items, (SELECT count(*)::int FROM cmdb_relations) AS relations`);

    // The real API on a loopback port; a lazy Temporal connection that is never used by these routes.
    const config = { ...loadConfig({}), databaseUrl: dbUrl, port: 0 };
    const connection = Connection.lazy({ address: '127.0.0.1:7233' });
    const app: INestApplication = await createApp({ config, dataSource: ds, temporal: new TemporalClient({ connection }) }, { logger: false });
    await app.listen(0, '127.0.0.1');
    cleanups.push({ name: 'close the API', run: () => app.close() });
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, '基准', $2) RETURNING id`, [`bench-${randomUUID().slice(0, 8)}`, ['dispatcher']]);
    const { token } = await issueToken(ds, user.id, 'bench');
    const get = async (path: string) => {
      const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body: any = await res.json();
      return { ok: res.status === 200, body };
    };

    // Random items that have something depending on them (the interesting impact queries), by a seeded pick.
    const candidates: string[] = (await ds.query(`SELECT DISTINCT target_id AS id FROM cmdb_relations WHERE type = ANY($1) ORDER BY 1`, [DEPENDENCY_RELATIONS])).map((r: any) => r.id);
    const pick = (n: number) => Array.from({ length: n }, () => candidates[Math.floor(random() * candidates.length)]);
    const warm = pick(20);
    const sample = pick(N);
    const pool = new Pool({ connectionString: dbUrl, max: 2 });
    cleanups.push({ name: 'end the baseline pool', run: () => pool.end() });
    for (const id of warm) {
      await get(`/cmdb/items/${id}/impact`);
      await get(`/cmdb/items/${id}/topology?depth=2`);
      await pool.query(`SELECT * FROM cmdb_items WHERE id = $1`, [id]);
    }

    const results = [
      await measure('plain SELECT one item by id (pg)', sample, async (id) => ({ ok: (await pool.query(`SELECT * FROM cmdb_items WHERE id = $1`, [id])).rowCount === 1 })),
      await measure('API GET /cmdb/items/:id', sample, async (id) => {
        const r = await get(`/cmdb/items/${id}`);
        return { ok: r.ok, note: r.body.relations ? r.body.relations.incoming.length + r.body.relations.outgoing.length : 0 };
      }),
      await measure('API GET /cmdb/items/:id/impact', sample, async (id) => {
        const r = await get(`/cmdb/items/${id}/impact`);
        return { ok: r.ok, note: r.body.businessSystems?.length };
      }),
      await measure('API GET …/dependencies', sample, async (id) => {
        const r = await get(`/cmdb/items/${id}/dependencies`);
        return { ok: r.ok, note: r.body.dependencies?.length };
      }),
      await measure('API GET …/topology?depth=2', sample, async (id) => {
        const r = await get(`/cmdb/items/${id}/topology?depth=2`);
        return { ok: r.ok, note: r.body.nodes?.length };
      }),
    ];
    // The recursive SQL alone, as the service runs it, without HTTP and JSON.
    const impactSql = await measure('impact recursive SQL alone (pg)', sample, async (id) => {
      const r = await pool.query(
        `WITH RECURSIVE walk(id, parent, rel, depth) AS (
           SELECT $1::uuid, NULL::uuid, NULL::text, 0
           UNION
           SELECT r.source_id, r.target_id, r.type, w.depth + 1 FROM walk w JOIN cmdb_relations r ON r.target_id = w.id AND r.type = ANY($2) WHERE w.depth < 12
         )
         SELECT count(DISTINCT id)::int AS n FROM walk`,
        [id, DEPENDENCY_RELATIONS],
      );
      return { ok: r.rowCount === 1, note: r.rows[0].n };
    });
    results.splice(3, 0, impactSql);

    const header = ['', 'count', 'p50 ms', 'p99 ms', 'max ms', 'mean result size', 'failures'];
    const table = [
      header,
      ...results.map((r) => {
        const sorted = [...r.latenciesMs].sort((a, b) => a - b);
        const mean = r.notes.length ? (r.notes.reduce((s, x) => s + x, 0) / r.notes.length).toFixed(1) : '';
        return [r.label, String(sorted.length), percentile(sorted, 50).toFixed(2), percentile(sorted, 99).toFixed(2), sorted[sorted.length - 1].toFixed(2), mean, String(r.failures)];
      }),
    ];
    console.log(`CMDB: ${items} items, ${relations} relations (built in ${buildSeconds.toFixed(1)} s); ${N} random items with dependants each, one client, after ${warm.length} warm-up rounds`);
    console.log(`  node ${process.version} (${process.platform}-${process.arch}); PostgreSQL ${pgVersion}: ${pgKind}; database ${dbName}`);
    console.log('  mean result size: relations of the item / business systems affected / items reached by the SQL / dependencies / topology nodes');
    printTable(table);
    const impactApi = [...results[2].latenciesMs].sort((a, b) => a - b);
    const p99 = percentile(impactApi, 99);
    console.log(`target: impact query under ${TARGET_MS} ms: p50 ${percentile(impactApi, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over HTTP: ${p99 < TARGET_MS ? 'met' : 'MISSED'}`);
    const failures = results.reduce((s, r) => s + r.failures, 0);
    if (failures) {
      console.error(`FAILED: ${failures} queries did not answer 200`);
      exitCode = 1;
    }
  }
  return exitCode === 0;
}

void runBench(benchmark);
