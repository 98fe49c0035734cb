import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DEPENDENCY_RELATIONS,
  FieldProblem,
  ITEM_TYPES,
  ITEM_TYPE_NAMES,
  ItemType,
  RELATION_TYPES,
  RELATION_TYPE_NAMES,
  isItemType,
  isRelationType,
  relationEndsProblem,
  validateAttributes,
} from '../../domain/cmdb';
import { updateReturning } from '../../persistence/sql';
import { Principal } from '../auth/principal';
import { CreateItemDto, CreateRelationDto, ItemView, UpdateItemDto } from './cmdb.dto';
import { isUuid } from '../common/refs';
import { ApiError, conflict, invalidFields, notFoundRef, unprocessable } from '../common/errors';
import { MAX_OFFSET } from '../common/dtos';

type Db = DataSource | EntityManager;

export const IMPACT_MAX_DEPTH = 12;
export const TOPOLOGY_MAX_DEPTH = 5;
export const TOPOLOGY_MAX_NODES = 500;

const ITEM_COLUMNS = `i.id, i.type, i.name, i.display_name, i.owner_department, i.criticality, i.lifecycle_status, i.attributes,
  i.business_system_id, i.vendor_id, v.name AS vendor_name, i.revenue_per_hour, i.created_at, i.updated_at`;
const ITEM_FROM = `cmdb_items i LEFT JOIN vendors v ON v.id = i.vendor_id`;

interface ItemRow {
  id: string;
  type: ItemType;
  name: string;
  display_name: string;
  owner_department: string | null;
  criticality: ItemView['criticality'];
  lifecycle_status: ItemView['lifecycleStatus'];
  attributes: Record<string, unknown>;
  business_system_id: string | null;
  vendor_id: string | null;
  vendor_name: string | null;
  revenue_per_hour: string | null;
  created_at: Date;
  updated_at: Date;
}

export function mapItem(r: ItemRow): ItemView {
  return {
    id: r.id,
    type: r.type,
    typeLabel: ITEM_TYPES[r.type]?.label ?? r.type,
    name: r.name,
    displayName: r.display_name,
    ownerDepartment: r.owner_department,
    criticality: r.criticality,
    lifecycleStatus: r.lifecycle_status,
    attributes: r.attributes,
    businessSystemId: r.business_system_id,
    vendor: r.vendor_id ? { id: r.vendor_id, name: r.vendor_name ?? '' } : null,
    revenuePerHour: r.revenue_per_hour === null ? null : Number(r.revenue_per_hour),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** 400 in the shape validation failures have: every problem with the field it concerns. */
export function invalid(problems: (FieldProblem & { reasonZh?: string })[]): ApiError {
  return invalidFields(problems.map((p) => ({ field: p.field, zh: p.reasonZh ?? `${p.field} 取值无效`, en: p.reason })));
}

const isUniqueViolation = (err: unknown) => (err as { driverError?: { code?: string }; code?: string })?.driverError?.code === '23505' || (err as { code?: string })?.code === '23505';

/** Item fields as stored, for history's before/after. */
function snapshot(v: ItemView) {
  return {
    type: v.type,
    name: v.name,
    displayName: v.displayName,
    ownerDepartment: v.ownerDepartment,
    criticality: v.criticality,
    lifecycleStatus: v.lifecycleStatus,
    attributes: v.attributes,
    vendorId: v.vendor?.id ?? null,
    revenuePerHour: v.revenuePerHour,
  };
}

interface WalkRow {
  id: string;
  parent: string | null;
  rel: string | null;
  depth: number;
  type: ItemType;
  name: string;
  display_name: string;
  lifecycle_status: string;
  criticality: string;
  revenue_per_hour: string | null;
}

export interface PathStep {
  id: string;
  type: string;
  name: string;
  displayName: string;
  /** The relation joining this step to the one before it, read in the stored direction. */
  via: string | null;
}

@Injectable()
export class CmdbService {
  constructor(private readonly ds: DataSource) {}

  types() {
    return {
      itemTypes: ITEM_TYPE_NAMES.map((t) => ({ type: t, label: ITEM_TYPES[t].label, attributes: ITEM_TYPES[t].attributes })),
      relationTypes: RELATION_TYPE_NAMES.map((t) => ({ type: t, ...RELATION_TYPES[t] })),
    };
  }

  /** An item id, `type:name`, or a business system's code (`SYS-11`); 404 naming `field` when there is none. */
  async resolve(ref: string, field = 'id', db: Db = this.ds): Promise<ItemView> {
    let rows: ItemRow[];
    if (isUuid(ref)) rows = await db.query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.id = $1`, [ref]);
    else if (ref.includes(':')) {
      const at = ref.indexOf(':');
      rows = await db.query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.type = $1 AND i.name = $2`, [ref.slice(0, at), ref.slice(at + 1)]);
    } else rows = await db.query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.type = 'business_system' AND i.name = upper($1)`, [ref]);
    if (!rows[0]) throw notFoundRef('item', ref, field);
    return mapItem(rows[0]);
  }

  private async history(db: Db, auth: Principal | null, target: { itemId?: string; relationId?: string }, action: string, before: unknown, after: unknown) {
    await db.query(`INSERT INTO cmdb_history (item_id, relation_id, action, actor_id, actor_name, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      target.itemId ?? null,
      target.relationId ?? null,
      action,
      auth?.userId ?? null,
      auth ? auth.displayName : 'system',
      before === null ? null : JSON.stringify(before),
      after === null ? null : JSON.stringify(after),
    ]);
  }

  /** Field problems of a whole item (after an update is merged in); the type is already known. */
  async problemsOf(type: ItemType, item: { attributes: unknown; vendorId?: string | null; revenuePerHour?: number | null }, db: Db = this.ds): Promise<FieldProblem[]> {
    const problems = validateAttributes(type, item.attributes);
    if (type !== 'business_system') {
      if (item.vendorId) problems.push({ field: 'vendorId', reason: 'only business systems record their vendor (made_by)' });
      if (item.revenuePerHour !== undefined && item.revenuePerHour !== null) problems.push({ field: 'revenuePerHour', reason: 'only business systems carry a revenue per hour' });
    }
    if (item.vendorId) {
      const [v] = await db.query(`SELECT 1 FROM vendors WHERE id = $1`, [item.vendorId]);
      if (!v) problems.push({ field: 'vendorId', reason: `no vendor ${item.vendorId}` });
    }
    return problems;
  }

  async createItem(auth: Principal | null, dto: CreateItemDto, db?: EntityManager): Promise<ItemView> {
    if (!isItemType(dto.type)) throw invalid([{ field: 'type', reason: `unknown item type ${dto.type}; known: ${ITEM_TYPE_NAMES.join(', ')}`, reasonZh: `未知的配置项类型 ${dto.type}；可用：${ITEM_TYPE_NAMES.join('、')}` }]);
    const type = dto.type;
    const attributes = dto.attributes ?? {};
    const problems = await this.problemsOf(type, { attributes, vendorId: dto.vendorId, revenuePerHour: dto.revenuePerHour });
    if (problems.length) throw invalid(problems);
    const run = async (tx: EntityManager) => {
      const [row] = await tx.query(
        `INSERT INTO cmdb_items (type, name, display_name, owner_department, criticality, lifecycle_status, attributes, vendor_id, revenue_per_hour)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (type, name) DO NOTHING RETURNING id`,
        [type, dto.name, dto.displayName, dto.ownerDepartment ?? null, dto.criticality ?? 'medium', dto.lifecycleStatus ?? 'active', JSON.stringify(attributes), dto.vendorId ?? null, dto.revenuePerHour ?? null],
      );
      if (!row) throw conflict('DUPLICATE', `已存在名为 ${dto.name} 的 ${type}`, `a ${type} named ${dto.name} exists`, { field: 'name' });
      const item = await this.resolve(row.id, 'id', tx);
      await this.history(tx, auth, { itemId: item.id }, 'create', null, snapshot(item));
      return item;
    };
    return db ? run(db) : this.ds.transaction(run);
  }

  async updateItem(auth: Principal | null, ref: string, dto: UpdateItemDto, db?: EntityManager): Promise<ItemView> {
    const run = async (tx: EntityManager) => {
      const found = await this.resolve(ref, 'id', tx);
      await tx.query(`SELECT 1 FROM cmdb_items WHERE id = $1 FOR UPDATE`, [found.id]);
      const before = await this.resolve(found.id, 'id', tx);
      const type = before.type as ItemType;
      const next = {
        name: dto.name ?? before.name,
        displayName: dto.displayName ?? before.displayName,
        ownerDepartment: dto.ownerDepartment !== undefined ? dto.ownerDepartment || null : before.ownerDepartment,
        criticality: dto.criticality ?? before.criticality,
        lifecycleStatus: dto.lifecycleStatus ?? before.lifecycleStatus,
        attributes: dto.attributes ?? before.attributes,
        vendorId: dto.vendorId !== undefined ? dto.vendorId : (before.vendor?.id ?? null),
        revenuePerHour: dto.revenuePerHour !== undefined ? dto.revenuePerHour : before.revenuePerHour,
      };
      const problems = await this.problemsOf(type, next, tx);
      if (problems.length) throw invalid(problems);
      try {
        await updateReturning(
          tx,
          `UPDATE cmdb_items SET name = $2, display_name = $3, owner_department = $4, criticality = $5, lifecycle_status = $6, attributes = $7,
                  vendor_id = $8, revenue_per_hour = $9, updated_at = now() WHERE id = $1 RETURNING id`,
          [before.id, next.name, next.displayName, next.ownerDepartment, next.criticality, next.lifecycleStatus, JSON.stringify(next.attributes), next.vendorId, next.revenuePerHour],
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('DUPLICATE', `已存在名为 ${next.name} 的 ${type}`, `a ${type} named ${next.name} exists`, { field: 'name' });
        throw err;
      }
      const after = await this.resolve(before.id, 'id', tx);
      await this.history(tx, auth, { itemId: after.id }, 'update', snapshot(before), snapshot(after));
      return after;
    };
    return db ? run(db) : this.ds.transaction(run);
  }

  async deleteItem(auth: Principal, ref: string) {
    return this.ds.transaction(async (tx) => {
      const item = await this.resolve(ref, 'id', tx);
      await tx.query(`SELECT 1 FROM cmdb_items WHERE id = $1 FOR UPDATE`, [item.id]);
      // A registered business system has incidents, changes and escalations that name it, and its "made by" lives
      // here: it is retired (lifecycleStatus = retired), never deleted.
      if (item.businessSystemId) {
        const [use] = await tx.query(
          `SELECT (SELECT count(*) FROM incidents WHERE system_id = $1)::int AS incidents,
                  (SELECT count(*) FROM changes WHERE system_id = $1)::int AS changes,
                  (SELECT count(*) FROM modifications WHERE system_id = $1)::int AS modifications`,
          [item.businessSystemId],
        );
        throw conflict(
          'ITEM_IN_USE',
          `业务系统 ${item.name} 不能删除（工单 ${use.incidents}、变更 ${use.changes}、改造需求 ${use.modifications}），请将其状态改为停用（retired）`,
          `the business system ${item.name} cannot be deleted (${use.incidents} incidents, ${use.changes} changes, ${use.modifications} modification requests): retire it (lifecycleStatus: retired)`,
          { field: 'id', details: { history: use } },
        );
      }
      const relations = await updateReturning<{ id: string; type: string; source_id: string; target_id: string }>(
        tx,
        `DELETE FROM cmdb_relations WHERE source_id = $1 OR target_id = $1 RETURNING id, type, source_id, target_id`,
        [item.id],
      );
      for (const r of relations) await this.history(tx, auth, { relationId: r.id }, 'delete', { type: r.type, sourceId: r.source_id, targetId: r.target_id }, null);
      await tx.query(`DELETE FROM cmdb_items WHERE id = $1`, [item.id]);
      await this.history(tx, auth, { itemId: item.id }, 'delete', snapshot(item), null);
      return { id: item.id, deleted: true, relationsDeleted: relations.length };
    });
  }

  /** Filters: type, status, q (name or display name), and `attr.<name>=<value>` for attribute equality. */
  async list(query: Record<string, unknown>) {
    const where: string[] = [];
    const params: unknown[] = [];
    const problems: (FieldProblem & { reasonZh?: string })[] = [];
    const text = (key: string): string | undefined => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    const type = text('type');
    if (type !== undefined) {
      if (!isItemType(type)) problems.push({ field: 'type', reason: `unknown item type ${type}; known: ${ITEM_TYPE_NAMES.join(', ')}` });
      params.push(type);
      where.push(`i.type = $${params.length}`);
    }
    const status = text('status');
    if (status !== undefined) {
      params.push(status.split(','));
      where.push(`i.lifecycle_status = ANY($${params.length})`);
    }
    const q = text('q');
    if (q) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(i.name ILIKE $${params.length} OR i.display_name ILIKE $${params.length})`);
    }
    for (const [key, value] of Object.entries(query)) {
      if (!key.startsWith('attr.')) continue;
      const name = key.slice(5);
      const known = (isItemType(type) ? [type] : ITEM_TYPE_NAMES).some((t) => name in ITEM_TYPES[t].attributes);
      if (!known) problems.push({ field: key, reason: `no ${isItemType(type) ? type : 'item type'} has an attribute ${name}` });
      params.push(name, String(value));
      where.push(`i.attributes ->> $${params.length - 1} = $${params.length}`);
    }
    for (const key of Object.keys(query)) {
      if (!['type', 'status', 'q', 'limit', 'offset'].includes(key) && !key.startsWith('attr.')) problems.push({ field: key, reason: 'unknown filter; use type, status, q, attr.<name>, limit, offset' });
    }
    const limit = Number(text('limit') ?? 100);
    const offset = Number(text('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push({ field: 'limit', reason: 'limit must be an integer from 1 to 1000', reasonZh: 'limit 必须是 1–1000 的整数' });
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) problems.push({ field: 'offset', reason: `offset must be an integer from 0 to ${MAX_OFFSET}`, reasonZh: `offset 必须是 0–${MAX_OFFSET} 的整数` });
    if (problems.length) throw invalid(problems);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM cmdb_items i ${clause}`, params);
    const rows: ItemRow[] = await this.ds.query(
      `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} ${clause} ORDER BY i.type, i.name LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { total, limit, offset, items: rows.map(mapItem) };
  }

  async get(ref: string) {
    const item = await this.resolve(ref);
    const relations = await this.ds.query(
      `SELECT r.id, r.type, r.source_id = $1 AS outgoing, o.id AS "otherId", o.type AS "otherType", o.name AS "otherName", o.display_name AS "otherDisplayName", r.created_at AS "createdAt"
         FROM cmdb_relations r JOIN cmdb_items o ON o.id = CASE WHEN r.source_id = $1 THEN r.target_id ELSE r.source_id END
        WHERE r.source_id = $1 OR r.target_id = $1 ORDER BY r.type, o.type, o.name`,
      [item.id],
    );
    const side = (r: any) => ({ id: r.otherId, type: r.otherType, name: r.otherName, displayName: r.otherDisplayName });
    return {
      ...item,
      relations: {
        outgoing: relations.filter((r: any) => r.outgoing).map((r: any) => ({ id: r.id, type: r.type, target: side(r) })),
        incoming: relations.filter((r: any) => !r.outgoing).map((r: any) => ({ id: r.id, type: r.type, source: side(r) })),
      },
    };
  }

  async createRelation(auth: Principal | null, dto: CreateRelationDto) {
    if (!isRelationType(dto.type)) throw invalid([{ field: 'type', reason: `unknown relation type ${dto.type}; known: ${RELATION_TYPE_NAMES.join(', ')}`, reasonZh: `未知的关系类型 ${dto.type}；可用：${RELATION_TYPE_NAMES.join('、')}` }]);
    const type = dto.type;
    const source = await this.resolve(dto.sourceId, 'sourceId');
    const target = await this.resolve(dto.targetId, 'targetId');
    if (source.id === target.id) throw unprocessable('SELF_RELATION', '配置项不能与自身建立关系', 'an item cannot relate to itself', { field: 'targetId' });
    const ends = relationEndsProblem(type, source.type as ItemType, target.type as ItemType);
    if (ends) throw unprocessable('RELATION_NOT_ALLOWED', `${source.type} 与 ${target.type} 之间不允许 ${type} 关系`, ends.reason, { field: ends.field });
    return this.ds.transaction(async (tx) => {
      // Concurrent inserts could each see no cycle and together make one: dependency edges are added one at a time.
      await tx.query(`SELECT 1 FROM cmdb_items WHERE id = ANY($1) FOR SHARE`, [[source.id, target.id]]);
      if (RELATION_TYPES[type].dependency) {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('wardline.cmdb.dependency_graph'))`);
        const cycle = await this.pathBetween(tx, target.id, source.id);
        if (cycle) {
          const steps = [source, ...cycle];
          const path = steps.map((s) => `${s.type}:${s.name}`).join(' → ');
          throw conflict(
            'CYCLE',
            `${source.type}:${source.name} ${type} ${target.type}:${target.name} 会形成依赖环：${path}`,
            `${source.type}:${source.name} ${type} ${target.type}:${target.name} would close a dependency cycle: ${path}`,
            { field: 'targetId', details: { cycle: steps.map((s) => ({ id: s.id, type: s.type, name: s.name })) } },
          );
        }
      }
      const [row] = await tx.query(
        `INSERT INTO cmdb_relations (type, source_id, target_id) VALUES ($1, $2, $3) ON CONFLICT (type, source_id, target_id) DO NOTHING RETURNING id, created_at`,
        [type, source.id, target.id],
      );
      if (!row) throw conflict('DUPLICATE', `关系 ${source.name} ${type} ${target.name} 已存在`, `${source.name} ${type} ${target.name} exists`, { field: 'targetId' });
      const view = { id: row.id as string, type, sourceId: source.id, targetId: target.id };
      await this.history(tx, auth, { relationId: view.id }, 'create', null, view);
      return { ...view, source: { id: source.id, type: source.type, name: source.name }, target: { id: target.id, type: target.type, name: target.name }, createdAt: new Date(row.created_at).toISOString() };
    });
  }

  /** A dependency path from `from` to `to` (items after `from`, ending with `to`), or null: the cycle check. */
  private async pathBetween(db: Db, from: string, to: string): Promise<{ id: string; type: string; name: string }[] | null> {
    // UNION drops revisited (node, parent) pairs, so the walk ends on any graph; the parents give a path back.
    const rows: { id: string; parent: string | null }[] = await db.query(
      `WITH RECURSIVE reach(id, parent) AS (
         SELECT $1::uuid, NULL::uuid
         UNION
         SELECT r.target_id, r.source_id FROM reach JOIN cmdb_relations r ON r.source_id = reach.id AND r.type = ANY($3)
       )
       SELECT id, parent FROM reach WHERE EXISTS (SELECT 1 FROM reach WHERE id = $2)`,
      [from, to, DEPENDENCY_RELATIONS],
    );
    if (!rows.length) return null;
    const parentOf = new Map<string, string>();
    for (const r of rows) if (r.parent && !parentOf.has(r.id)) parentOf.set(r.id, r.parent);
    const ids = [to];
    for (let at = to; at !== from && ids.length <= rows.length; ) ids.unshift((at = parentOf.get(at)!));
    const items: ItemRow[] = await db.query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.id = ANY($1)`, [ids]);
    const byId = new Map(items.map((i) => [i.id, i]));
    return ids.map((id) => ({ id, type: byId.get(id)!.type, name: byId.get(id)!.name }));
  }

  async deleteRelation(auth: Principal, id: string) {
    return this.ds.transaction(async (tx) => {
      const [r] = await updateReturning<{ id: string; type: string; source_id: string; target_id: string }>(
        tx,
        `DELETE FROM cmdb_relations WHERE id = $1 RETURNING id, type, source_id, target_id`,
        [id],
      );
      if (!r) throw notFoundRef('relation', id);
      await this.history(tx, auth, { relationId: r.id }, 'delete', { type: r.type, sourceId: r.source_id, targetId: r.target_id }, null);
      return { id: r.id, deleted: true };
    });
  }

  /** Who changed the item and its relations, what and when, newest first. */
  async itemHistory(ref: string) {
    const item = await this.resolve(ref);
    const rows = await this.ds.query(
      `SELECT id, item_id AS "itemId", relation_id AS "relationId", action, actor_id AS "actorId", actor_name AS "actorName", at, before, after
         FROM cmdb_history
        WHERE item_id = $1
           OR (relation_id IS NOT NULL AND (coalesce(after, before) @> jsonb_build_object('sourceId', $1::text) OR coalesce(after, before) @> jsonb_build_object('targetId', $1::text)))
        ORDER BY id DESC LIMIT 500`,
      [item.id],
    );
    return {
      item: { id: item.id, type: item.type, name: item.name },
      entries: rows.map((r: any) => ({ ...r, id: Number(r.id), subject: r.itemId ? 'item' : 'relation', actor: { id: r.actorId, name: r.actorName }, at: new Date(r.at).toISOString() })),
    };
  }

  /**
   * Walks dependency relations from an item to the given depth: `up` finds what depends on it (impact),
   * `down` what it depends on. Rows are (item, the item it was reached from); UNION drops revisits, so cycles end.
   */
  private async walk(id: string, direction: 'up' | 'down', maxDepth: number): Promise<Map<string, WalkRow>> {
    const [next, from] = direction === 'up' ? ['source_id', 'target_id'] : ['target_id', 'source_id'];
    const rows: WalkRow[] = await this.ds.query(
      `WITH RECURSIVE walk(id, parent, rel, depth) AS (
         SELECT $1::uuid, NULL::uuid, NULL::text, 0
         UNION
         SELECT r.${next}, r.${from}, r.type, w.depth + 1
           FROM walk w JOIN cmdb_relations r ON r.${from} = w.id AND r.type = ANY($2)
          WHERE w.depth < $3
       ),
       best AS (SELECT DISTINCT ON (id) id, parent, rel, depth FROM walk ORDER BY id, depth)
       SELECT b.id, b.parent, b.rel, b.depth, i.type, i.name, i.display_name, i.lifecycle_status, i.criticality, i.revenue_per_hour
         FROM best b JOIN cmdb_items i ON i.id = b.id`,
      [id, DEPENDENCY_RELATIONS, maxDepth],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  private pathTo(nodes: Map<string, WalkRow>, id: string): PathStep[] {
    const chain: WalkRow[] = [];
    // Each row keeps the parent it was first reached from at its smallest depth, so parents lead back to the start.
    for (let at = nodes.get(id); at && chain.length <= nodes.size; at = at.parent ? nodes.get(at.parent) : undefined) chain.unshift(at);
    return chain.map((n, k) => ({ id: n.id, type: n.type, name: n.name, displayName: n.display_name, via: k === 0 ? null : n.rel }));
  }

  private depth(raw: unknown, fallback: number, max: number): number {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw invalid([{ field: 'depth', reason: `depth must be an integer from 1 to ${max}`, reasonZh: `depth 必须是 1–${max} 的整数` }]);
    return n;
  }

  /** The business systems an outage of this item affects, each with the dependency path to it, and the revenue at stake (S9). */
  async impact(ref: string, rawDepth?: unknown) {
    const item = await this.resolve(ref);
    const maxDepth = this.depth(rawDepth, IMPACT_MAX_DEPTH, IMPACT_MAX_DEPTH);
    const nodes = await this.walk(item.id, 'up', maxDepth);
    const systems = [...nodes.values()]
      .filter((n) => n.type === 'business_system')
      .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name))
      .map((n) => ({
        id: n.id,
        name: n.name,
        displayName: n.display_name,
        lifecycleStatus: n.lifecycle_status,
        criticality: n.criticality,
        revenuePerHour: n.revenue_per_hour === null ? null : Number(n.revenue_per_hour),
        depth: n.depth,
        path: this.pathTo(nodes, n.id),
      }));
    const revenue = systems.reduce((sum, s) => sum + (s.revenuePerHour ?? 0), 0);
    return {
      item: { id: item.id, type: item.type, name: item.name, displayName: item.displayName },
      maxDepth,
      affectedItems: nodes.size - 1,
      businessSystems: systems,
      revenuePerHourAtStake: Math.round(revenue * 100) / 100,
    };
  }

  /** What this item depends on, transitively, each with its path. */
  async dependencies(ref: string, rawDepth?: unknown) {
    const item = await this.resolve(ref);
    const maxDepth = this.depth(rawDepth, IMPACT_MAX_DEPTH, IMPACT_MAX_DEPTH);
    const nodes = await this.walk(item.id, 'down', maxDepth);
    const dependencies = [...nodes.values()]
      .filter((n) => n.id !== item.id)
      .sort((a, b) => a.depth - b.depth || a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
      .map((n) => ({ id: n.id, type: n.type, name: n.name, displayName: n.display_name, lifecycleStatus: n.lifecycle_status, depth: n.depth, path: this.pathTo(nodes, n.id) }));
    return { item: { id: item.id, type: item.type, name: item.name, displayName: item.displayName }, maxDepth, dependencies };
  }

  /** Items within `depth` relations of this one (any type, either direction) and the relations among them. */
  async topology(ref: string, rawDepth?: unknown) {
    const item = await this.resolve(ref);
    const maxDepth = this.depth(rawDepth, 2, TOPOLOGY_MAX_DEPTH);
    const found: { id: string; depth: number }[] = await this.ds.query(
      `WITH RECURSIVE near(id, depth) AS (
         SELECT $1::uuid, 0
         UNION
         SELECT n.id, near.depth + 1 FROM near
           CROSS JOIN LATERAL (
             SELECT target_id AS id FROM cmdb_relations WHERE source_id = near.id
             UNION ALL
             SELECT source_id FROM cmdb_relations WHERE target_id = near.id
           ) n
          WHERE near.depth < $2
       )
       SELECT id, min(depth)::int AS depth FROM near GROUP BY id ORDER BY min(depth), id LIMIT ${TOPOLOGY_MAX_NODES + 1}`,
      [item.id, maxDepth],
    );
    const truncated = found.length > TOPOLOGY_MAX_NODES;
    const kept = found.slice(0, TOPOLOGY_MAX_NODES);
    const ids = kept.map((f) => f.id);
    const depthOf = new Map(kept.map((f) => [f.id, f.depth]));
    const rows: ItemRow[] = await this.ds.query(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE i.id = ANY($1)`, [ids]);
    const edges = await this.ds.query(
      `SELECT id, type, source_id AS source, target_id AS target FROM cmdb_relations WHERE source_id = ANY($1) AND target_id = ANY($1) ORDER BY id`,
      [ids],
    );
    return {
      root: item.id,
      depth: maxDepth,
      truncated,
      nodes: rows.map((r) => ({ ...mapItem(r), depth: depthOf.get(r.id) })).sort((a, b) => a.depth! - b.depth! || a.name.localeCompare(b.name)),
      edges: edges.map((e: any) => ({ ...e, label: RELATION_TYPES[e.type as keyof typeof RELATION_TYPES]?.label ?? e.type })),
    };
  }
}
