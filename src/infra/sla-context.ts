import { DataSource, EntityManager } from 'typeorm';
import { CalendarSpec, WorkingCalendar } from '../domain/calendar';
import { CONTRACT_POLICY, SlaPolicy, requirePolicy } from '../domain/sla-policy';
import { buildCalendarSpec } from './china-calendar';

/**
 * The SLA policy and working calendar a new record's workflow gets as input, read straight from PostgreSQL for
 * code outside the API (activities opening records from a project-management platform, S15). The same rules as
 * the API's CalendarService: loaded years replace bundled ones, and the workflow gets the years from the one
 * before the report on, so its history stays small.
 */
export async function slaContext(db: DataSource | EntityManager, timeZone: string, at: number): Promise<{ policy: SlaPolicy; calendar: CalendarSpec }> {
  const years: { year: number; holidays: string[]; workdays: string[] }[] = await db.query(`SELECT year, holidays, workdays FROM calendar_years ORDER BY year`);
  const spec = buildCalendarSpec({ timeZone, extraYears: years });
  const year = Number(new WorkingCalendar(spec).localDate(at).slice(0, 4));
  const keep = (d: string) => Number(d.slice(0, 4)) >= year - 1;
  const calendar: CalendarSpec = {
    ...spec,
    holidays: spec.holidays.filter(keep),
    workdays: spec.workdays.filter(keep),
    coveredYears: spec.coveredYears.filter((y) => y >= year - 1),
  };
  const rows: { body: SlaPolicy }[] = await db.query(`SELECT body FROM sla_policies ORDER BY version`);
  return { policy: requirePolicy([CONTRACT_POLICY, ...rows.map((r) => r.body)], undefined), calendar };
}
