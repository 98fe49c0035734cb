import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatInZone } from '../../domain/time';
import { attachedAlerts, listAlerts } from '../../persistence/alerts/alert-queries';
import { CmdbService } from '../cmdb/cmdb.service';
import { notFoundRef } from '../common/errors';
import { findByRef } from '../common/refs';
import { CalendarService } from '../sla/calendar.service';
import { ListAlertsQuery } from './alerts.dto';

@Injectable()
export class AlertsService {
  constructor(
    private readonly ds: DataSource,
    private readonly cmdb: CmdbService,
    private readonly calendars: CalendarService,
  ) {}

  async list(q: ListAlertsQuery) {
    const item = q.item ? await this.cmdb.resolve(q.item, 'item') : null;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const page = await listAlerts(this.ds, { status: q.status, source: q.source, itemId: item?.id, unmapped: q.unmapped, limit, offset });
    const { spec } = await this.calendars.current();
    return { total: page.total, limit, offset, items: page.items.map((a) => this.mapAlert(a, spec.utcOffsetMinutes)) };
  }

  /** An incident's alert list (P3): what fired, how often, first and last seen. */
  async ofIncident(ref: string) {
    const row = await findByRef<{ id: string; number: string }>(this.ds, 'incidents', ref, 'id, number');
    if (!row) throw notFoundRef('incident', ref);
    const { spec } = await this.calendars.current();
    return { incident: { id: row.id, number: row.number }, alerts: (await attachedAlerts(this.ds, { incidentId: row.id })).map((a: any) => this.mapAttached(a, spec.utcOffsetMinutes)) };
  }

  /** The alerts an approved change's maintenance window held back (S4): recorded, no incident. */
  async ofChange(ref: string) {
    const row = await findByRef<{ id: string; number: string }>(this.ds, 'changes', ref, 'id, number');
    if (!row) throw notFoundRef('change', ref);
    const { spec } = await this.calendars.current();
    return { change: { id: row.id, number: row.number }, alerts: (await attachedAlerts(this.ds, { changeId: row.id })).map((a: any) => this.mapAttached(a, spec.utcOffsetMinutes)) };
  }

  private mapAlert(a: Awaited<ReturnType<typeof listAlerts>>['items'][number], offset: number) {
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, offset));
    return { ...a, startsAt: t(a.startsAt), endsAt: t(a.endsAt), firstSeen: t(a.firstSeen), lastSeen: t(a.lastSeen) };
  }

  private mapAttached(a: any, offset: number) {
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, offset));
    return { ...this.mapAlert(a, offset), attached: { ...a.attached, firstSeen: t(a.attached.firstSeen), lastSeen: t(a.attached.lastSeen) } };
  }
}

