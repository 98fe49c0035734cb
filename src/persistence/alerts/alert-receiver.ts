import { DataSource } from 'typeorm';
import { NormalizedAlert, groupKeyOf } from '../../domain/alerts/alert';
import { lookupsFor } from '../../domain/alerts/mapping';
import { PriorityMap } from '../../domain/alerts/priority';
import type { Actor } from '../../domain/incident-process';
import { AlertGroupBatch, AlertIncidentGateway, GroupOutcome, recordAlertGroup } from './alert-intake';
import { MappingCache } from './mapping-store';
import { loadPriorityMap } from './priority-store';

/**
 * The alert intake's core (P3), shared by the webhook routes and the forecasts' preventive alerts: each alert is
 * mapped to its configuration item and system, alerts are grouped (the source's group, else system + alert name),
 * and each group's batch is recorded in its own short transaction. Groups are independent, so a few go at once.
 */
export class AlertReceiver {
  readonly mapping: MappingCache;
  private priorities: { at: number; map: PriorityMap } | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly gateway: AlertIncidentGateway,
    private readonly options: { flapWindowMs: number; cacheTtlMs?: number; parallelGroups?: number },
  ) {
    this.mapping = new MappingCache(options.cacheTtlMs ?? 5000);
  }

  /** After a rule or the priority table changed through this process. */
  clearCaches(): void {
    this.mapping.clear();
    this.priorities = null;
  }

  private async priorityMap(now: number): Promise<PriorityMap> {
    if (!this.priorities || now - this.priorities.at > (this.options.cacheTtlMs ?? 5000)) this.priorities = { at: now, map: await loadPriorityMap(this.ds) };
    return this.priorities.map;
  }

  async receive(alerts: readonly NormalizedAlert[], ctx: { now: number; openedBy: Actor }): Promise<GroupOutcome[]> {
    const rules = await this.mapping.mappingRules(this.ds, ctx.now);
    const priorities = await this.priorityMap(ctx.now);
    const batches = new Map<string, AlertGroupBatch>();
    for (const alert of alerts) {
      const mapped = await this.mapping.resolve(this.ds, lookupsFor(alert, rules), ctx.now);
      const system = mapped?.systems[0];
      const key = groupKeyOf(alert, system ? { systemId: system.systemId } : null);
      const batch = batches.get(key);
      if (batch) batch.alerts.push(alert);
      else batches.set(key, { key, mapped, alerts: [alert] });
    }
    const list = [...batches.values()];
    const out: GroupOutcome[] = new Array(list.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < list.length; i = next++) {
        out[i] = await recordAlertGroup(this.ds, list[i], { now: ctx.now, flapWindowMs: this.options.flapWindowMs, priorities, openedBy: ctx.openedBy, gateway: this.gateway });
      }
    };
    await Promise.all(Array.from({ length: Math.min(list.length, this.options.parallelGroups ?? 4) }, worker));
    return out;
  }
}
