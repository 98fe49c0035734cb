import { DataSource, EntityManager } from 'typeorm';
import { AlertSource } from '../../domain/alerts/alert';
import { Lookup, MappingRule } from '../../domain/alerts/mapping';
import { CRITICALITY_RANK, MapCriticality } from '../../domain/alerts/priority';
import { Criticality, DEPENDENCY_RELATIONS, ItemType } from '../../domain/cmdb';

type Db = DataSource | EntityManager;

/** A business system an alerting item's outage reaches (P1, S9: CMDB impact), with its criticality. */
export interface ImpactedSystem {
  systemId: string;
  code: string;
  displayName: string;
  criticality: Criticality;
  /** Relations between the item and the system (0 when the item is the system). */
  depth: number;
}

/** The configuration item an alert is about, and what its outage reaches. */
export interface MappedItem {
  itemId: string;
  type: ItemType;
  name: string;
  displayName: string;
  ruleId: string;
  systems: ImpactedSystem[];
}

export interface MappingRuleRow extends MappingRule {
  note: string | null;
  updatedAt: string;
  updatedBy: string;
}

const RULE_COLUMNS = `id, position, enabled, sources, match, kind, label, item_type, item_ref, note, updated_at, updated_by`;

function mapRule(r: any): MappingRuleRow {
  return {
    id: r.id,
    position: r.position,
    enabled: r.enabled,
    sources: r.sources as AlertSource[],
    match: r.match,
    kind: r.kind,
    label: r.label,
    itemType: r.item_type,
    itemRef: r.item_ref,
    note: r.note,
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
  };
}

export async function listMappingRules(db: Db): Promise<MappingRuleRow[]> {
  return (await db.query(`SELECT ${RULE_COLUMNS} FROM alert_mapping_rules ORDER BY position, created_at, id`)).map(mapRule);
}

export async function getMappingRule(db: Db, id: string): Promise<MappingRuleRow | null> {
  const [row] = await db.query(`SELECT ${RULE_COLUMNS} FROM alert_mapping_rules WHERE id = $1`, [id]);
  return row ? mapRule(row) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The item a lookup finds, or null. Several items with one IP or name: servers first, then by type and name. */
async function findItem(db: Db, lookup: Lookup): Promise<{ id: string; type: ItemType; name: string; display_name: string } | null> {
  const cols = `id, type, name, display_name`;
  const order = `ORDER BY (type = 'server') DESC, type, name LIMIT 1`;
  let rows: any[];
  if (lookup.by === 'ref') {
    const ref = lookup.ref;
    if (UUID.test(ref)) rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE id = $1`, [ref]);
    else if (ref.includes(':')) {
      const at = ref.indexOf(':');
      rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE type = $1 AND name = $2`, [ref.slice(0, at), ref.slice(at + 1)]);
    } else rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE type = 'business_system' AND name = upper($1)`, [ref]);
  } else if (lookup.by === 'ip') {
    rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE attributes ->> 'ip' = $1 AND lifecycle_status <> 'retired' ${order}`, [lookup.ip]);
  } else if (lookup.itemType) {
    rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE name = $1 AND type = $2`, [lookup.name, lookup.itemType]);
  } else {
    rows = await db.query(`SELECT ${cols} FROM cmdb_items WHERE name = $1 AND lifecycle_status <> 'retired' ${order}`, [lookup.name]);
  }
  return rows[0] ?? null;
}

/** The business systems an item's outage reaches: up the dependency relations, the most critical and nearest first. */
export async function impactedSystems(db: Db, itemId: string): Promise<ImpactedSystem[]> {
  const rows: { id: string; code: string; display_name: string; criticality: Criticality; depth: number }[] = await db.query(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT $1::uuid, 0
       UNION
       SELECT r.source_id, up.depth + 1 FROM up JOIN cmdb_relations r ON r.target_id = up.id AND r.type = ANY($2) WHERE up.depth < 12
     )
     SELECT s.id, s.code, s.display_name, i.criticality, min(up.depth)::int AS depth
       FROM up JOIN cmdb_items i ON i.id = up.id JOIN business_systems s ON s.id = i.business_system_id
      GROUP BY s.id, s.code, s.display_name, i.criticality`,
    [itemId, DEPENDENCY_RELATIONS],
  );
  return rows
    .map((r) => ({ systemId: r.id, code: r.code, displayName: r.display_name, criticality: r.criticality, depth: r.depth }))
    .sort((a, b) => CRITICALITY_RANK[b.criticality] - CRITICALITY_RANK[a.criticality] || a.depth - b.depth || a.code.localeCompare(b.code));
}

/** The first lookup that finds an item wins; its impact is read with it. */
export async function resolveMapping(db: Db, lookups: readonly Lookup[]): Promise<MappedItem | null> {
  for (const lookup of lookups) {
    const item = await findItem(db, lookup);
    if (!item) continue;
    return { itemId: item.id, type: item.type, name: item.name, displayName: item.display_name, ruleId: lookup.ruleId, systems: await impactedSystems(db, item.id) };
  }
  return null;
}

/** The incident's system is the most critical one the outage reaches; its criticality sets the priority. */
export function primarySystem(mapped: MappedItem | null): { system: ImpactedSystem | null; criticality: MapCriticality } {
  const system = mapped?.systems[0] ?? null;
  return { system, criticality: system?.criticality ?? 'unknown' };
}

/**
 * Mapping rules and lookups change rarely and are read for every alert: a process keeps them a few seconds. A change
 * through this process's API clears its cache at once; other replicas see it within `ttlMs`.
 */
export class MappingCache {
  private rules: { at: number; value: MappingRule[] } | null = null;
  private readonly found = new Map<string, { at: number; value: MappedItem | null }>();

  constructor(private readonly ttlMs = 5000) {}

  clear(): void {
    this.rules = null;
    this.found.clear();
  }

  async mappingRules(db: Db, now: number): Promise<MappingRule[]> {
    if (!this.rules || now - this.rules.at > this.ttlMs) this.rules = { at: now, value: await listMappingRules(db) };
    return this.rules.value;
  }

  async resolve(db: Db, lookups: readonly Lookup[], now: number): Promise<MappedItem | null> {
    const key = JSON.stringify(lookups);
    const hit = this.found.get(key);
    if (hit && now - hit.at <= this.ttlMs) return hit.value;
    const value = await resolveMapping(db, lookups);
    if (this.found.size > 10_000) this.found.clear();
    this.found.set(key, { at: now, value });
    return value;
  }
}
