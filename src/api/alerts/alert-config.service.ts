import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NormalizedAlert, SEVERITIES, groupKeyOf } from '../../domain/alerts/alert';
import { MappingRuleInput, lookupsFor, mappingRuleProblems } from '../../domain/alerts/mapping';
import { DEFAULT_PRIORITY_MAP, priorityFor, priorityMapFrom } from '../../domain/alerts/priority';
import { AlertSource } from '../../domain/alerts/alert';
import { AlertReceiver } from '../../persistence/alerts/alert-receiver';
import { getMappingRule, listMappingRules, resolveMapping } from '../../persistence/alerts/mapping-store';
import { loadPriorityMap, priorityCells, replacePriorityMap } from '../../persistence/alerts/priority-store';
import { updateReturning } from '../../persistence/sql';
import { Principal } from '../auth/principal';
import { CmdbService } from '../cmdb/cmdb.service';
import { invalidFields, notFound, unknownRef } from '../common/errors';
import { MappingProbeDto, MappingRuleDto, PriorityMapDto, UpdateMappingRuleDto } from './alerts.dto';
import { ALERT_RECEIVER } from './alert-tokens';

const ZH_REASON: Record<string, string> = {
  kind: '查找方式不正确',
  label: '标签名不正确或缺失',
  itemRef: '固定配置项缺失或多余',
  itemType: '配置项类型不适用',
  sources: '来源未知',
};

/** Mapping rules and the priority table (P3), kept as data and edited here; the intake reads them within seconds. */
@Injectable()
export class AlertConfigService {
  constructor(
    private readonly ds: DataSource,
    private readonly cmdb: CmdbService,
    // Absent until the intake is wired in; its caches are what a rule change must clear.
    @Optional() @Inject(ALERT_RECEIVER) private readonly receiver: AlertReceiver | null,
  ) {}

  rules() {
    return listMappingRules(this.ds);
  }

  /** A rule is checked whole; a fixed item must exist (422 naming itemRef). */
  private async check(rule: MappingRuleInput) {
    const problems = mappingRuleProblems(rule);
    if (problems.length) {
      throw invalidFields(problems.map((p) => ({ field: p.field, zh: `${p.field} ${ZH_REASON[p.field.split('.')[0]] ?? '取值无效'}：${p.reason}`, en: p.reason })));
    }
    if (rule.kind === 'item' && rule.itemRef) await this.cmdb.resolve(rule.itemRef, 'itemRef').catch(() => Promise.reject(unknownRef('item', rule.itemRef!, 'itemRef')));
  }

  async createRule(auth: Principal, dto: MappingRuleDto) {
    await this.check({ ...dto });
    const [{ next }] = await this.ds.query(`SELECT coalesce(max(position), 0) + 10 AS next FROM alert_mapping_rules`);
    const [row] = await this.ds.query(
      `INSERT INTO alert_mapping_rules (position, enabled, sources, match, kind, label, item_type, item_ref, note, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [dto.position ?? next, dto.enabled ?? true, dto.sources ?? [], JSON.stringify(dto.match ?? {}), dto.kind, dto.label ?? null, dto.itemType ?? null, dto.itemRef ?? null, dto.note ?? null, auth.displayName],
    );
    this.receiver?.clearCaches();
    return getMappingRule(this.ds, row.id);
  }

  async updateRule(auth: Principal, id: string, dto: UpdateMappingRuleDto) {
    const before = await getMappingRule(this.ds, id);
    if (!before) throw notFound('NOT_FOUND', `没有映射规则 ${id}`, `no mapping rule ${id}`, { field: 'id' });
    const next = {
      position: dto.position ?? before.position,
      enabled: dto.enabled ?? before.enabled,
      sources: dto.sources ?? before.sources,
      match: dto.match ?? before.match,
      kind: dto.kind ?? before.kind,
      label: dto.label !== undefined ? dto.label : before.label,
      itemType: dto.itemType !== undefined ? dto.itemType : before.itemType,
      itemRef: dto.itemRef !== undefined ? dto.itemRef : before.itemRef,
      note: dto.note !== undefined ? dto.note : before.note,
    };
    await this.check(next);
    await this.ds.query(
      `UPDATE alert_mapping_rules SET position = $2, enabled = $3, sources = $4, match = $5, kind = $6, label = $7, item_type = $8, item_ref = $9, note = $10,
              updated_at = now(), updated_by = $11 WHERE id = $1`,
      [id, next.position, next.enabled, next.sources, JSON.stringify(next.match), next.kind, next.label, next.itemType, next.itemRef, next.note, auth.displayName],
    );
    this.receiver?.clearCaches();
    return getMappingRule(this.ds, id);
  }

  async deleteRule(id: string) {
    const rows = await updateReturning(this.ds, `DELETE FROM alert_mapping_rules WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw notFound('NOT_FOUND', `没有映射规则 ${id}`, `no mapping rule ${id}`, { field: 'id' });
    this.receiver?.clearCaches();
    return { id, deleted: true };
  }

  /** Where an alert with these labels would land: the rule, the item, the systems, its group and priority. */
  async probe(dto: MappingProbeDto) {
    const rules = await listMappingRules(this.ds);
    const alert: Pick<NormalizedAlert, 'source' | 'labels'> = { source: dto.source as AlertSource, labels: dto.labels };
    const lookups = lookupsFor(alert, rules);
    const mapped = await resolveMapping(this.ds, lookups);
    const system = mapped?.systems[0] ?? null;
    const map = await loadPriorityMap(this.ds);
    return {
      lookups,
      item: mapped ? { id: mapped.itemId, type: mapped.type, name: mapped.name, displayName: mapped.displayName, ruleId: mapped.ruleId } : null,
      systems: mapped?.systems ?? [],
      /** The incident's system: the most critical one reached, or the triage system when none. */
      system,
      /** Without the source's own group key (Zabbix, generic): the group an alert named like `labels.alertname` joins. */
      groupKey: groupKeyOf({ ...alert, sourceGroupKey: null, alertname: dto.labels.alertname ?? '' } as NormalizedAlert, system ? { systemId: system.systemId } : null),
      priorityBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, priorityFor(map, s, system?.criticality ?? 'unknown')])),
    };
  }

  async priorityTable() {
    return { cells: await priorityCells(this.ds), defaults: DEFAULT_PRIORITY_MAP };
  }

  async replacePriorityTable(auth: Principal, dto: PriorityMapDto) {
    const result = priorityMapFrom(dto.cells);
    if ('problems' in result) {
      throw invalidFields(result.problems.map((p) => ({ field: p.field, zh: p.field === 'cells' ? `表格不完整：${p.reason}` : `${p.field} 取值无效`, en: p.reason })));
    }
    await this.ds.transaction((tx) => replacePriorityMap(tx, dto.cells, auth.displayName));
    this.receiver?.clearCaches();
    return this.priorityTable();
  }
}
