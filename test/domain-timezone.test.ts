import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'child_process';
import path from 'path';

/**
 * S10 deadlines are Asia/Shanghai facts: they must not move when the server runs in another zone. Each case
 * runs the real calendar in a fresh node process under a different TZ (the zone is read once per process,
 * so it cannot be switched inside jest). New York is there for its daylight saving change on 2026-03-08,
 * inside the week used below.
 */
const ROOT = path.resolve(__dirname, '..');
const REGISTER = path.join(__dirname, 'support', 'ts-register.js');

const SCRIPT = `
const path = require('path');
const root = ${JSON.stringify(ROOT)};
const { buildCalendarSpec } = require(path.join(root, 'src/infra/china-calendar.ts'));
const { WorkingCalendar } = require(path.join(root, 'src/domain/calendar.ts'));
const { CONTRACT_POLICY, incidentTargets, acceptanceEligibleAt } = require(path.join(root, 'src/domain/sla-policy.ts'));
const { formatInZone, HOUR_MS } = require(path.join(root, 'src/domain/time.ts'));
const cal = new WorkingCalendar(buildCalendarSpec());
const at = (s) => Date.parse(s);
const show = (ms) => formatInZone(ms, 480);
const target = (s) => {
  const t = incidentTargets(CONTRACT_POLICY, cal, { reportedAt: at(s) });
  return [t.tier, show(t.respond.deadline), show(t.onSite.deadline), show(t.repair.deadline), t.calendarCovered];
};
const results = {
  repairFromFriday1700: show(cal.addWorkingDays(at('2026-03-06T17:00:00+08:00'), 2)),
  repairFromSaturday1000: show(cal.addWorkingDays(at('2026-03-07T10:00:00+08:00'), 2)),
  springFestival: show(cal.addWorkingDays(at('2026-02-13T17:00:00+08:00'), 2)),
  newYearNextStart: show(cal.nextWorkingStart(at('2025-12-31T18:00:00+08:00'))),
  nationalDayNextStart: show(cal.nextWorkingStart(at('2026-09-30T20:00:00+08:00'))),
  holidayJustBeforeMidnight: cal.isWorkingTime(at('2026-01-03T23:59:00+08:00')),
  adjustedSundayMorning: cal.isWorkingTime(at('2026-01-04T08:00:00+08:00')),
  localDateAtUtcYearEnd: cal.localDate(at('2026-12-31T16:00:00Z')),
  hoursAcrossSpringFestival: cal.workingTimeBetween(at('2026-02-13T17:00:00+08:00'), at('2026-02-24T17:00:00+08:00')) / HOUR_MS,
  friday1759: target('2026-03-06T17:59:00+08:00'),
  friday1800: target('2026-03-06T18:00:00+08:00'),
  intoUncovered2027: target('2026-12-31T17:00:00+08:00'),
  acceptance: show(acceptanceEligibleAt(CONTRACT_POLICY, cal, at('2026-09-28T10:00:00+08:00'))),
};
process.stdout.write(JSON.stringify({ julyOffsetMinutes: new Date(at('2026-07-01T00:00:00Z')).getTimezoneOffset(), results }));
`;

const EXPECTED = {
  repairFromFriday1700: '2026-03-10T17:00:00+08:00',
  repairFromSaturday1000: '2026-03-10T18:00:00+08:00',
  springFestival: '2026-02-24T17:00:00+08:00',
  newYearNextStart: '2026-01-04T08:00:00+08:00',
  nationalDayNextStart: '2026-10-08T08:00:00+08:00',
  holidayJustBeforeMidnight: false,
  adjustedSundayMorning: true,
  localDateAtUtcYearEnd: '2027-01-01',
  hoursAcrossSpringFestival: 20,
  friday1759: ['working_time', '2026-03-06T18:29:00+08:00', '2026-03-06T18:59:00+08:00', '2026-03-10T17:59:00+08:00', true],
  friday1800: ['off_hours', '2026-03-06T19:00:00+08:00', '2026-03-06T20:00:00+08:00', '2026-03-10T18:00:00+08:00', true],
  intoUncovered2027: ['working_time', '2026-12-31T17:30:00+08:00', '2026-12-31T18:00:00+08:00', '2027-01-04T17:00:00+08:00', false],
  acceptance: '2026-10-13T10:00:00+08:00',
};

function runIn(tz: string): { julyOffsetMinutes: number; results: unknown } {
  const child = spawnSync(process.execPath, ['-r', REGISTER, '-e', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`node under TZ=${tz} exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

describe('domain deadlines do not depend on the process time zone (S10, Asia/Shanghai)', () => {
  /** [TZ, what Date#getTimezoneOffset reports there in July]. */
  const zones: [string, number][] = [
    ['UTC', 0],
    ['America/New_York', 240],
    ['Asia/Shanghai', -480],
  ];
  const runs = new Map<string, ReturnType<typeof runIn>>();

  beforeAll(() => {
    for (const [tz] of zones) runs.set(tz, runIn(tz));
  }, 120_000);

  it.each(zones)('TZ=%s really ran in that zone and got the Shanghai answers', (tz, julyOffset) => {
    const run = runs.get(tz)!;
    expect(run.julyOffsetMinutes).toBe(julyOffset);
    expect(run.results).toEqual(EXPECTED);
  });

  it('all three zones print identical results', () => {
    const outputs = zones.map(([tz]) => JSON.stringify(runs.get(tz)!.results));
    expect(new Set(outputs).size).toBe(1);
  });
});
