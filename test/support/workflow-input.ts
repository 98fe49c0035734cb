import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CalendarSpec } from '../../src/domain/calendar';
import { IncidentInput } from '../../src/domain/incident-process';
import { CONTRACT_POLICY, SlaPolicy } from '../../src/domain/sla-policy';
import { DAY_MS, formatDayNumber, isoWeekday } from '../../src/domain/time';

/**
 * A calendar on which every minute is working time, so working-time clocks run while the test runs,
 * whatever day CI starts on. Timers are shrunk through the policy instead (no time skipping here).
 */
export function alwaysWorkingCalendar(now: number): CalendarSpec {
  const today = Math.floor(now / DAY_MS);
  const weekends: string[] = [];
  for (let d = today - 3; d <= today + 10; d++) if (isoWeekday(d) >= 6) weekends.push(formatDayNumber(d));
  const year = new Date(now).getUTCFullYear();
  return {
    timeZone: 'Asia/Shanghai',
    utcOffsetMinutes: 480,
    workingHours: [{ start: '00:00', end: '24:00' }],
    holidays: [],
    workdays: weekends,
    coveredYears: [year - 1, year, year + 1],
  };
}

/** The contract's policy with budgets in seconds instead of minutes and days. */
export function shrunkPolicy(seconds: { respond: number; onSite: number; repair: number }, warningFractions = [0.5]): SlaPolicy {
  const repairDays = seconds.repair / (DAY_MS / 1000);
  return {
    ...CONTRACT_POLICY,
    incident: {
      workingTime: { respondMinutes: seconds.respond / 60, onSiteMinutes: seconds.onSite / 60 },
      offHours: { respondMinutes: seconds.respond / 60, onSiteMinutes: seconds.onSite / 60 },
      repairWorkingDays: repairDays,
      dataRepairWorkingDays: repairDays,
    },
    warningFractions,
  };
}

export async function incidentInput(
  ds: DataSource,
  policy: SlaPolicy,
  overrides: Partial<IncidentInput> = {},
): Promise<IncidentInput> {
  const [system] = await ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-11'`);
  const now = Date.now();
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  return {
    incidentId: randomUUID(),
    number: `INC-TEST-${suffix}`,
    systemId: system.id,
    systemName: system.display_name,
    title: 'PACS 影像无法调阅',
    description: 'workflow test',
    reporter: { name: '李护士长', department: '放射科', phone: null },
    priority: 'P1',
    channel: 'phone',
    reportedAt: now,
    openedBy: { id: 'test', name: '测试调度' },
    assignee: null,
    policy,
    calendar: alwaysWorkingCalendar(now),
    ...overrides,
  };
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
