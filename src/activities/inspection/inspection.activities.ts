import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { PrometheusPort } from '../../adapters/monitoring/prometheus';
import { CheckDefinition, Profile, SEVERITIES, Severity, checkApplies } from '../../domain/inspection/catalogue';
import { Component, RiskInput, rankRisks, scoreItem, scoreSystem, trendOf } from '../../domain/inspection/score';
import { Criticality, DEPENDENCY_RELATIONS, ItemType } from '../../domain/cmdb';
import type { SecretVault } from '../../infra/secrets';
import { allocateNumber } from '../../persistence/numbering';
import { checksAt, currentCatalogue, syncShippedChecks } from '../../persistence/inspections/catalogue-store';
import type { InspectionScope } from '../../shared/inspection-messages';
import { ResultRow, collectItem } from './collect';

export interface InspectionActivityDeps {
  dataSource: DataSource;
  vault: SecretVault;
  prometheus: PrometheusPort | null;
  utcOffsetMinutes: number;
  /** Renders and stores the report of a finished inspection (PDF and XLSX); absent: no report. */
  renderReport?: (inspectionId: string) => Promise<{ reportId: string }>;
}

export interface PrepareInput {
  workflowId: string;
  inspectionId?: string;
  profile: Profile;
  scope: InspectionScope;
  trigger: 'on_demand' | 'schedule';
  requestedBy: { id: string | null; name: string };
}

export interface PreparedInspection {
  inspectionId: string;
  number: string;
  itemIds: string[];
}

export interface ItemSummary {
  itemId: string;
  findings: number;
  worst: Severity | null;
}

const MAX_ITEMS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds a CMDB item by id, `type:name` or a business system's code (SYS-11). */
export async function findItemRef(ds: DataSource, ref: string): Promise<{ id: string; type: string; name: string } | undefined> {
  if (UUID.test(ref)) return (await ds.query(`SELECT id, type, name FROM cmdb_items WHERE id = $1`, [ref]))[0];
  const at = ref.indexOf(':');
  if (at > 0) return (await ds.query(`SELECT id, type, name FROM cmdb_items WHERE type = $1 AND name = $2`, [ref.slice(0, at), ref.slice(at + 1)]))[0];
  return (await ds.query(`SELECT id, type, name FROM cmdb_items WHERE type = 'business_system' AND name = upper($1)`, [ref]))[0];
}

/** The item ids a scope covers (retired items are not inspected), at most MAX_ITEMS. */
export async function resolveScope(ds: DataSource, scope: InspectionScope): Promise<string[]> {
  let rows: { id: string }[];
  if ('system' in scope) {
    const root = await findItemRef(ds, scope.system);
    if (!root) return [];
    rows = await ds.query(
      `WITH RECURSIVE down(id) AS (
         SELECT $1::uuid
         UNION
         SELECT r.target_id FROM down JOIN cmdb_relations r ON r.source_id = down.id AND r.type = ANY($2)
       )
       SELECT i.id FROM down JOIN cmdb_items i ON i.id = down.id WHERE i.lifecycle_status <> 'retired' ORDER BY i.type, i.name LIMIT ${MAX_ITEMS}`,
      [root.id, DEPENDENCY_RELATIONS],
    );
  } else if ('itemType' in scope) {
    rows = await ds.query(`SELECT id FROM cmdb_items WHERE type = $1 AND lifecycle_status <> 'retired' ORDER BY name LIMIT ${MAX_ITEMS}`, [scope.itemType]);
  } else {
    rows = await ds.query(`SELECT id FROM cmdb_items WHERE lifecycle_status <> 'retired' ORDER BY type, name LIMIT ${MAX_ITEMS}`);
  }
  return rows.map((r) => r.id);
}

/** Creates the inspection row a scheduled run needs (an on-demand run's row is made by the API with the same shape). */
export async function createInspectionRow(
  ds: DataSource,
  input: { id?: string; workflowId?: string; profile: Profile; scope: InspectionScope; trigger: 'on_demand' | 'schedule'; requestedBy: { id: string | null; name: string } },
  utcOffsetMinutes: number,
): Promise<{ id: string; number: string; workflowId: string }> {
  const id = input.id ?? randomUUID();
  const number = await allocateNumber(ds, 'INS', Date.now(), utcOffsetMinutes);
  const workflowId = input.workflowId ?? `inspection-${number}`;
  await ds.query(
    `INSERT INTO inspections (id, number, workflow_id, profile, trigger, scope, state, phase, requested_by, requested_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', 'preparing', $7, $8) ON CONFLICT (workflow_id) DO NOTHING`,
    [id, number, workflowId, input.profile, input.trigger, JSON.stringify(input.scope), input.requestedBy.id, input.requestedBy.name],
  );
  const [row] = await ds.query(`SELECT id, number, workflow_id FROM inspections WHERE workflow_id = $1`, [workflowId]);
  return { id: row.id, number: row.number, workflowId: row.workflow_id };
}

/** The latest finished inspection that had this item, and when it started. */
async function previousOf(ds: DataSource, inspectionId: string, itemId: string): Promise<{ inspectionId: string; startedAt: number; score: number | null } | null> {
  const [row] = await ds.query(
    `SELECT i.id, i.started_at, ii.score FROM inspection_items ii JOIN inspections i ON i.id = ii.inspection_id
      WHERE ii.item_id = $1 AND ii.status = 'done' AND i.state = 'completed' AND i.id <> $2
        AND i.started_at < (SELECT started_at FROM inspections WHERE id = $2)
      ORDER BY i.started_at DESC LIMIT 1`,
    [itemId, inspectionId],
  );
  return row ? { inspectionId: row.id, startedAt: new Date(row.started_at).getTime(), score: row.score } : null;
}

/** Monitoring counts since the previous inspection, or this far back for the first one. */
const FIRST_SINCE_MS: Record<Profile, number> = { quarterly: 92 * 86_400_000, monthly: 31 * 86_400_000 };

async function writeResults(ds: DataSource, inspectionId: string, itemId: string, rows: ResultRow[]): Promise<ItemSummary> {
  const findings = rows.filter((r) => r.severity !== null);
  const worst = findings.reduce<Severity | null>((w, r) => (w === null || SEVERITIES.indexOf(r.severity!) > SEVERITIES.indexOf(w) ? r.severity : w), null);
  const reachable = !rows.some((r) => r.checkId.startsWith('collector.') && r.status === 'error');
  await ds.transaction(async (tx) => {
    await tx.query(`DELETE FROM inspection_results WHERE inspection_id = $1 AND item_id = $2`, [inspectionId, itemId]);
    for (const r of rows) {
      await tx.query(
        `INSERT INTO inspection_results (inspection_id, item_id, check_id, check_version, subject, status, severity, value, compared, unit, threshold, evidence, measured_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [inspectionId, itemId, r.checkId, r.checkVersion, r.subject, r.status, r.severity, r.value, r.compared === null || Number.isFinite(r.compared) ? r.compared : null, r.unit, r.threshold ? JSON.stringify(r.threshold) : null, JSON.stringify(r.evidence), r.measuredAt],
      );
    }
    await tx.query(
      `UPDATE inspection_items SET status = 'done', checks_run = $3, findings = $4, reachable = $5, finished_at = now() WHERE inspection_id = $1 AND item_id = $2`,
      [inspectionId, itemId, new Set(rows.map((r) => r.checkId)).size, findings.length, reachable],
    );
  });
  return { itemId, findings: findings.length, worst };
}

/** Inspections (P4, S16): prepare a run over its scope, inspect each item, score, report, finish. */
export function createInspectionActivities(deps: InspectionActivityDeps) {
  const ds = deps.dataSource;
  return {
    async prepareInspection(input: PrepareInput): Promise<PreparedInspection> {
      await syncShippedChecks(ds);
      const row = input.inspectionId
        ? (await ds.query(`SELECT id, number, workflow_id FROM inspections WHERE id = $1`, [input.inspectionId]))[0]
        : await createInspectionRow(ds, { workflowId: input.workflowId, profile: input.profile, scope: input.scope, trigger: input.trigger, requestedBy: input.requestedBy }, deps.utcOffsetMinutes);
      if (!row) throw new Error(`inspection ${input.inspectionId} does not exist`);
      const id: string = row.id;
      const existing: { item_id: string }[] = await ds.query(`SELECT item_id FROM inspection_items WHERE inspection_id = $1 ORDER BY item_type, item_name`, [id]);
      if (existing.length) return { inspectionId: id, number: row.number, itemIds: existing.map((r) => r.item_id) };
      const catalogue = (await currentCatalogue(ds)).map((c) => ({ id: c.definition.id, version: c.definition.version }));
      const itemIds = await resolveScope(ds, input.scope);
      await ds.transaction(async (tx) => {
        const [prev] = await tx.query(`SELECT id FROM inspections WHERE state = 'completed' AND id <> $1 ORDER BY started_at DESC LIMIT 1`, [id]);
        await tx.query(`UPDATE inspections SET catalogue = $2, previous_id = $3, phase = 'collecting' WHERE id = $1`, [id, JSON.stringify(catalogue), prev?.id ?? null]);
        if (itemIds.length) {
          await tx.query(
            `INSERT INTO inspection_items (inspection_id, item_id, item_type, item_name, display_name, criticality, status)
             SELECT $1, i.id, i.type, i.name, i.display_name, i.criticality, 'pending' FROM cmdb_items i WHERE i.id = ANY($2::uuid[])
             ON CONFLICT DO NOTHING`,
            [id, itemIds],
          );
        }
      });
      const ordered: { item_id: string }[] = await ds.query(`SELECT item_id FROM inspection_items WHERE inspection_id = $1 ORDER BY item_type, item_name`, [id]);
      return { inspectionId: id, number: row.number, itemIds: ordered.map((r) => r.item_id) };
    },

    /**
     * Runs every applicable check on one item and stores the results in one transaction. An item already done (a
     * retry after the worker died between storing and answering, or a resumed run) is not inspected again.
     */
    async inspectItem(input: { inspectionId: string; itemId: string; connectTimeoutMs: number; queryTimeoutMs: number }): Promise<ItemSummary> {
      const [claimed] = await ds.query(
        `UPDATE inspection_items SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now())
          WHERE inspection_id = $1 AND item_id = $2 AND status <> 'done' RETURNING item_type, item_name`,
        [input.inspectionId, input.itemId],
      ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as { item_type: string; item_name: string }[]);
      if (!claimed) {
        const [done] = await ds.query(
          `SELECT findings, (SELECT severity FROM inspection_results WHERE inspection_id = $1 AND item_id = $2 AND severity IS NOT NULL
                   ORDER BY array_position(ARRAY['info','low','medium','high','critical'], severity) DESC LIMIT 1) AS worst
             FROM inspection_items WHERE inspection_id = $1 AND item_id = $2`,
          [input.inspectionId, input.itemId],
        );
        return { itemId: input.itemId, findings: done?.findings ?? 0, worst: done?.worst ?? null };
      }
      const [insp] = await ds.query(`SELECT profile, catalogue, started_at FROM inspections WHERE id = $1`, [input.inspectionId]);
      const [item] = await ds.query(`SELECT id, type, name, attributes FROM cmdb_items WHERE id = $1`, [input.itemId]);
      const now = () => Date.now();
      if (!item) {
        return writeResults(ds, input.inspectionId, input.itemId, [
          { checkId: 'collector.coverage', checkVersion: 1, subject: claimed.item_name, status: 'skipped', severity: null, value: null, compared: null, unit: '', threshold: null, evidence: { note: 'the item left the CMDB during the inspection' }, measuredAt: new Date() },
        ]);
      }
      const defs: CheckDefinition[] = (await checksAt(ds, insp.catalogue)).filter((d) => checkApplies(d, item, insp.profile));
      const prev = await previousOf(ds, input.inspectionId, input.itemId);
      const previous = new Map<string, number | null>();
      if (prev) {
        const rows: { check_id: string; subject: string; value: number | null }[] = await ds.query(`SELECT check_id, subject, value FROM inspection_results WHERE inspection_id = $1 AND item_id = $2`, [prev.inspectionId, input.itemId]);
        for (const r of rows) previous.set(`${r.check_id}\t${r.subject}`, r.value);
      }
      const since = prev?.startedAt ?? new Date(insp.started_at).getTime() - FIRST_SINCE_MS[insp.profile as Profile];
      let heartbeat = () => undefined as void;
      try {
        const ctx = Context.current();
        heartbeat = () => ctx.heartbeat();
      } catch {
        /* called outside an activity (tests) */
      }
      const rows = await collectItem({ id: item.id, type: item.type as ItemType, name: item.name, attributes: item.attributes }, defs, {
        ds,
        vault: deps.vault,
        prometheus: deps.prometheus,
        connectTimeoutMs: input.connectTimeoutMs,
        queryTimeoutMs: input.queryTimeoutMs,
        previous,
        since,
        now,
        heartbeat,
      });
      return writeResults(ds, input.inspectionId, input.itemId, rows);
    },

    /** Scores every item and business system, beside the previous inspection's, and ranks the top risks. */
    async scoreInspection(input: { inspectionId: string }): Promise<{ items: number; systems: number; worsening: number }> {
      const id = input.inspectionId;
      await ds.query(`UPDATE inspections SET phase = 'scoring' WHERE id = $1`, [id]);
      const items: { item_id: string; item_type: string; item_name: string; display_name: string; criticality: Criticality }[] = await ds.query(
        `SELECT item_id, item_type, item_name, display_name, criticality FROM inspection_items WHERE inspection_id = $1 ORDER BY item_type, item_name`,
        [id],
      );
      const results: { id: string; item_id: string; check_id: string; subject: string; status: string; severity: Severity | null }[] = await ds.query(
        `SELECT id, item_id, check_id, subject, status, severity FROM inspection_results WHERE inspection_id = $1`,
        [id],
      );
      const byItem = new Map<string, typeof results>();
      for (const r of results) byItem.set(r.item_id, [...(byItem.get(r.item_id) ?? []), r]);
      const scores = new Map<string, number | null>();
      let worsening = 0;
      for (const it of items) {
        const mine = byItem.get(it.item_id) ?? [];
        // Scored only when something was measured or could not be: an item no check applies to has no score.
        const measured = mine.filter((r) => r.status !== 'skipped');
        const s = measured.length ? scoreItem(measured.filter((r) => r.severity !== null).map((r) => ({ resultId: r.id, checkId: r.check_id, subject: r.subject, severity: r.severity! }))) : null;
        const prev = await previousOf(ds, id, it.item_id);
        const trend = trendOf(s?.score ?? null, prev?.score);
        if (trend.worsening) worsening++;
        scores.set(it.item_id, s?.score ?? null);
        await ds.query(`UPDATE inspection_items SET score = $3, previous_score = $4, explanation = $5 WHERE inspection_id = $1 AND item_id = $2`, [
          id,
          it.item_id,
          s?.score ?? null,
          prev?.score ?? null,
          JSON.stringify({ deductions: s?.deductions ?? [], trend }),
        ]);
      }
      const systems = items.filter((i) => i.item_type === 'business_system');
      await ds.query(`DELETE FROM inspection_system_scores WHERE inspection_id = $1`, [id]);
      for (const sys of systems) {
        const tree: { id: string }[] = await ds.query(
          `WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT r.target_id FROM down JOIN cmdb_relations r ON r.source_id = down.id AND r.type = ANY($2)) SELECT id FROM down`,
          [sys.item_id, DEPENDENCY_RELATIONS],
        );
        const inTree = new Set(tree.map((t) => t.id));
        const components: Component[] = items
          .filter((i) => inTree.has(i.item_id))
          .map((i) => ({ itemId: i.item_id, name: i.item_name, type: i.item_type, criticality: i.criticality, score: scores.get(i.item_id) ?? null }));
        const s = scoreSystem(components);
        const [prev] = await ds.query(
          `SELECT s.score FROM inspection_system_scores s JOIN inspections i ON i.id = s.inspection_id
            WHERE s.system_id = $1 AND i.state = 'completed' AND i.id <> $2 AND i.started_at < (SELECT started_at FROM inspections WHERE id = $2)
            ORDER BY i.started_at DESC LIMIT 1`,
          [sys.item_id, id],
        );
        const trend = trendOf(s.score, prev?.score);
        if (trend.worsening) worsening++;
        await ds.query(
          `INSERT INTO inspection_system_scores (inspection_id, system_id, name, display_name, score, previous_score, explanation) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, sys.item_id, sys.item_name, sys.display_name, s.score, prev?.score ?? null, JSON.stringify({ ...s, trend })],
        );
      }
      // Top risks: severity × criticality × how many business systems the item's outage reaches (CMDB impact).
      const withSeverity = results.filter((r) => r.severity !== null);
      const dependants = new Map<string, number>();
      for (const itemId of new Set(withSeverity.map((r) => r.item_id))) {
        const [{ n }] = await ds.query(
          `WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT r.source_id FROM up JOIN cmdb_relations r ON r.target_id = up.id AND r.type = ANY($2))
           SELECT count(*)::int AS n FROM up JOIN cmdb_items i ON i.id = up.id WHERE i.type = 'business_system' AND i.id <> $1`,
          [itemId, DEPENDENCY_RELATIONS],
        );
        dependants.set(itemId, n);
      }
      const crit = new Map(items.map((i) => [i.item_id, i.criticality]));
      const risks = rankRisks(
        withSeverity.map<RiskInput>((r) => ({ resultId: r.id, itemId: r.item_id, checkId: r.check_id, subject: r.subject, severity: r.severity!, criticality: crit.get(r.item_id) ?? 'medium', dependants: dependants.get(r.item_id) ?? 0 })),
        10,
      );
      const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, withSeverity.filter((r) => r.severity === s).length]));
      await ds.query(`UPDATE inspections SET summary = $2, phase = 'reporting' WHERE id = $1`, [
        id,
        JSON.stringify({ items: items.length, scored: [...scores.values()].filter((s) => s !== null).length, findingsBySeverity: bySeverity, worsening, topRisks: risks }),
      ]);
      return { items: items.length, systems: systems.length, worsening };
    },

    async renderInspectionReport(input: { inspectionId: string }): Promise<{ reportId: string | null }> {
      if (!deps.renderReport) return { reportId: null };
      const [existing] = await ds.query(`SELECT id FROM inspection_reports WHERE inspection_id = $1 ORDER BY version LIMIT 1`, [input.inspectionId]);
      if (existing) return { reportId: existing.id };
      return deps.renderReport(input.inspectionId);
    },

    async finishInspection(input: { inspectionId: string; state: 'completed' | 'failed'; error?: string }): Promise<void> {
      await ds.query(`UPDATE inspections SET state = $2, phase = $3, error = $4, finished_at = coalesce(finished_at, now()) WHERE id = $1`, [
        input.inspectionId,
        input.state,
        input.state === 'completed' ? 'done' : 'failed',
        input.error ?? null,
      ]);
    },
  };
}
