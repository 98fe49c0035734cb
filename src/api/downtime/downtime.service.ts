import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatInZone } from '../../domain/time';
import { DowntimeReport, downtimeReport, outageFlagOf, setOutageFlag } from '../../persistence/downtime/downtime-store';
import { Principal } from '../auth/principal';
import { conflict, invalidFields, notFoundRef } from '../common/errors';
import { isUuid } from '../common/refs';
import { CLOCK, Clock } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { DowntimeQuery, OutageFlagDto } from './downtime.dto';

/** A report covers at most about a year: the contract's term. */
const MAX_RANGE_MS = 366 * 24 * 3_600_000;

/** The systems a vendor's contact may see (their vendors' systems); null for everyone else, who sees all. */
export async function vendorScope(ds: DataSource, auth: Principal): Promise<string[] | null> {
  if (!auth.roles.includes('vendor_contact') || auth.roles.includes('admin')) return null;
  const rows: { system_id: string }[] = await ds.query(
    `SELECT DISTINCT vs.system_id FROM vendor_systems vs WHERE vs.vendor_id IN (SELECT vendor_id FROM vendor_contacts WHERE user_id = $1 AND active)`,
    [auth.userId],
  );
  return rows.map((r) => r.system_id);
}

/** Parses [from, to) of a query, refusing an empty, reversed or over-long period with the field named. */
export function periodOf(q: { from: string; to: string }): { from: Date; to: Date } {
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (to.getTime() <= from.getTime()) throw invalidFields([{ field: 'to', zh: 'to 必须晚于 from', en: 'to must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw invalidFields([{ field: 'to', zh: '统计区间不能超过 366 天', en: 'the period may not exceed 366 days' }]);
  return { from, to };
}

/** S9: downtime and revenue at stake, and the outage flag of incidents. */
@Injectable()
export class DowntimeService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(auth: Principal, q: DowntimeQuery) {
    const range = periodOf(q);
    const systemIds = await vendorScope(this.ds, auth);
    const report = await downtimeReport(this.ds, range, { now: this.clock.now(), ...(systemIds ? { systemIds } : {}) });
    return this.map(report, (await this.calendars.current()).spec.utcOffsetMinutes);
  }

  private map(r: DowntimeReport, offset: number) {
    const t = (d: Date) => formatInZone(d.getTime(), offset);
    return {
      from: t(r.from),
      to: t(r.to),
      systems: r.systems.map((s) => ({
        systemId: s.systemId,
        code: s.code,
        name: s.name,
        intervals: s.intervals.map((i) => ({ start: t(i.start), end: t(i.end), hours: i.hours, incidents: i.incidents })),
        hours: s.hours,
        revenuePerHour: s.revenuePerHour,
        revenueAtStake: s.revenueAtStake,
        incidents: s.incidents.map((i) => ({ ...i, start: t(i.start), end: t(i.end) })),
      })),
      totals: r.totals,
    };
  }

  private async incident(ref: string): Promise<{ id: string; number: string; state: string; reported_at: Date }> {
    const [row] = await this.ds.query(`SELECT id, number, state, reported_at FROM incidents WHERE ${isUuid(ref) ? 'id = $1::uuid' : 'number = upper($1)'}`, [ref]);
    if (!row) throw notFoundRef('incident', ref);
    return row;
  }

  async flag(ref: string) {
    const inc = await this.incident(ref);
    const f = await outageFlagOf(this.ds, inc.id);
    const offset = (await this.calendars.current()).spec.utcOffsetMinutes;
    return this.mapFlag(inc.number, f, offset);
  }

  async setFlag(auth: Principal, ref: string, dto: OutageFlagDto) {
    const inc = await this.incident(ref);
    const offset = (await this.calendars.current()).spec.utcOffsetMinutes;
    // A cancelled report was a mistake or a duplicate: it is no outage and cannot become one.
    if (inc.state === 'cancelled' && dto.outage) {
      throw conflict('ILLEGAL_TRANSITION', `工单 ${inc.number} 已撤销，不能标记为停机`, `incident ${inc.number} is cancelled and cannot be an outage`, { details: { state: inc.state, allowedActions: [] } });
    }
    const startedAt = dto.startedAt ? new Date(dto.startedAt) : null;
    if (startedAt && startedAt.getTime() > this.clock.now()) {
      throw invalidFields([{ field: 'startedAt', zh: 'startedAt 停机开始时间不能晚于现在', en: 'startedAt must not be in the future' }]);
    }
    if (startedAt && !dto.outage) throw invalidFields([{ field: 'startedAt', zh: '取消停机标记时不能给出 startedAt', en: 'startedAt only goes with outage: true' }]);
    const f = await setOutageFlag(this.ds, {
      incidentId: inc.id,
      outage: dto.outage,
      startedAt,
      note: dto.note ?? null,
      setBy: { id: auth.userId, name: auth.displayName },
      at: new Date(this.clock.now()),
    });
    return this.mapFlag(inc.number, f, offset);
  }

  private mapFlag(number: string, f: Awaited<ReturnType<typeof outageFlagOf>>, offset: number) {
    const t = (d: Date | null) => (d ? formatInZone(d.getTime(), offset) : null);
    return { incident: number, outage: f?.outage ?? false, startedAt: t(f?.startedAt ?? null), note: f?.note ?? null, setBy: f?.setBy ?? null, setAt: t(f?.setAt ?? null) };
  }
}
