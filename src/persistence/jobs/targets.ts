import { DataSource } from 'typeorm';
import { DEPENDENCY_RELATIONS, FieldProblem } from '../../domain/cmdb';
import { OsFamily, isProduction, osFamilyOf } from '../../domain/jobs/approval';
import { DomainError, DomainErrorCode } from '../../domain/errors';
import type { HostAccess } from '../ssh-store';

/** Targets of a job (P5) come from the CMDB: server items by id, a business system's servers, or by attributes. */
export interface TargetSelector {
  itemIds?: string[];
  /** A business system (id, code like SYS-11, or `type:name`): the servers it depends on through the graph. */
  system?: string;
  attributes?: Record<string, string | number | boolean>;
}

export interface ResolvedTarget {
  itemId: string;
  name: string;
  address: string;
  port: number;
  osFamily: OsFamily;
  credentialId: string;
  jump: HostAccess | null;
  production: boolean;
}

export const MAX_TARGETS = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ServerRow {
  id: string;
  type: string;
  name: string;
  lifecycle_status: string;
  attributes: Record<string, unknown>;
}

function invalid(problems: FieldProblem[]): DomainError {
  const en = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return new DomainError(DomainErrorCode.InvalidInput, en, { field: problems[0].field, reason: en, problems, messageZh: `作业目标有误：${problems.length} 处问题（${problems.map((p) => p.field).join('、')}）` });
}

async function findItem(ds: DataSource, ref: string): Promise<ServerRow | undefined> {
  const cols = 'id, type, name, lifecycle_status, attributes';
  if (UUID.test(ref)) return (await ds.query(`SELECT ${cols} FROM cmdb_items WHERE id = $1`, [ref]))[0];
  if (ref.includes(':')) {
    const at = ref.indexOf(':');
    return (await ds.query(`SELECT ${cols} FROM cmdb_items WHERE type = $1 AND name = $2`, [ref.slice(0, at), ref.slice(at + 1)]))[0];
  }
  return (await ds.query(`SELECT ${cols} FROM cmdb_items WHERE type = 'business_system' AND name = upper($1)`, [ref]))[0];
}

async function credentialId(ds: DataSource, ref: unknown): Promise<string | null> {
  if (typeof ref !== 'string' || !ref) return null;
  const [row] = await ds.query(UUID.test(ref) ? `SELECT id FROM ssh_credentials WHERE id = $1` : `SELECT id FROM ssh_credentials WHERE name = $1`, [ref]);
  return row?.id ?? null;
}

/** The servers a selector names, each with how to reach it; every server that cannot be reached is a named problem. */
export async function resolveTargets(ds: DataSource, selector: TargetSelector, field = 'targets'): Promise<ResolvedTarget[]> {
  const given = ['itemIds', 'system', 'attributes'].filter((k) => selector[k as keyof TargetSelector] !== undefined);
  if (given.length !== 1) throw invalid([{ field, reason: 'give exactly one of itemIds, system or attributes' }]);
  let rows: ServerRow[] = [];
  if (selector.itemIds) {
    const problems: FieldProblem[] = [];
    for (const [i, ref] of selector.itemIds.entries()) {
      const row = await findItem(ds, ref);
      if (!row) problems.push({ field: `${field}.itemIds[${i}]`, reason: `no configuration item ${ref}` });
      else if (row.type !== 'server') problems.push({ field: `${field}.itemIds[${i}]`, reason: `${ref} is a ${row.type}, not a server` });
      else rows.push(row);
    }
    if (problems.length) throw invalid(problems);
  } else if (selector.system !== undefined) {
    const system = await findItem(ds, selector.system);
    if (!system) throw new DomainError(DomainErrorCode.NotFound, `no configuration item ${selector.system}`, { field: `${field}.system`, messageZh: `没有配置项 ${selector.system}` });
    rows = await ds.query(
      `WITH RECURSIVE down(id) AS (
         SELECT $1::uuid
         UNION
         SELECT r.target_id FROM down JOIN cmdb_relations r ON r.source_id = down.id AND r.type = ANY($2)
       )
       SELECT i.id, i.type, i.name, i.lifecycle_status, i.attributes FROM down JOIN cmdb_items i ON i.id = down.id WHERE i.type = 'server' ORDER BY i.name`,
      [system.id, DEPENDENCY_RELATIONS],
    );
  } else {
    rows = await ds.query(`SELECT id, type, name, lifecycle_status, attributes FROM cmdb_items WHERE type = 'server' AND attributes @> $1::jsonb ORDER BY name`, [
      JSON.stringify(selector.attributes),
    ]);
  }
  rows = rows.filter((r) => r.lifecycle_status !== 'retired');
  const seen = new Set<string>();
  rows = rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
  if (!rows.length) throw invalid([{ field, reason: 'no active server matches' }]);
  if (rows.length > MAX_TARGETS) throw invalid([{ field, reason: `at most ${MAX_TARGETS} servers per run; ${rows.length} match` }]);
  const problems: FieldProblem[] = [];
  const out: ResolvedTarget[] = [];
  for (const r of rows) {
    const a = r.attributes;
    const name = `server:${r.name}`;
    const cred = await credentialId(ds, a.sshCredential);
    if (typeof a.ip !== 'string') problems.push({ field, reason: `${name} has no ip attribute` });
    if (!cred) problems.push({ field, reason: `${name} has no usable sshCredential (${String(a.sshCredential ?? 'none')})` });
    let jump: HostAccess | null = null;
    if (a.jumpHost !== undefined) {
      const j = await findItem(ds, String(a.jumpHost).includes(':') || UUID.test(String(a.jumpHost)) ? String(a.jumpHost) : `server:${String(a.jumpHost)}`);
      const jcred = j ? await credentialId(ds, j.attributes.sshCredential) : null;
      if (!j || j.type !== 'server' || typeof j.attributes.ip !== 'string' || !jcred) problems.push({ field, reason: `${name}'s jump host ${String(a.jumpHost)} is not a reachable server with an ip and sshCredential` });
      else jump = { address: j.attributes.ip, port: Number(j.attributes.sshPort ?? 22), credentialId: jcred };
    }
    if (typeof a.ip === 'string' && cred) {
      out.push({ itemId: r.id, name: r.name, address: a.ip, port: Number(a.sshPort ?? 22), osFamily: osFamilyOf(a), credentialId: cred, jump, production: isProduction(a.environment) });
    }
  }
  if (problems.length) throw invalid(problems);
  return out;
}
