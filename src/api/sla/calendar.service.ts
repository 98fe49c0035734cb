import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { CalendarSpec, WorkingCalendar } from '../../domain/calendar';
import { DomainError, DomainErrorCode, invalidInput } from '../../domain/errors';
import { CONTRACT_POLICY, SlaPolicy, requirePolicy, validatePolicy } from '../../domain/sla-policy';
import { formatDayNumber, parseIsoDate } from '../../domain/time';
import { parseCalendarIcs } from '../../infra/calendar-ics';
import { CalendarYear, CalendarYearOverview, buildCalendarSpec, bundledCalendarYears, calendarOverview, fixedOffsetOf } from '../../infra/china-calendar';
import { CalendarYearEntity, SlaPolicyEntity } from '../../persistence/entities';
import { CalendarStore } from '../../persistence/calendar-store';
import { recordInAppNotification } from '../../persistence/notification-store';
import { CLOCK, CONFIG, Clock, WardlineConfig } from '../common/tokens';

/** How far ahead the calendar must be loaded before /health and the admins are told (issue: 60 days). */
export const COVERAGE_HORIZON_DAYS = 60;

export interface CalendarCoverage {
  ok: boolean;
  coveredYears: number[];
  firstUncoveredDate: string | null;
  horizonDays: number;
}

/** The working calendar and SLA policies: bundled years and the contract, plus what admins loaded into PostgreSQL. */
@Injectable()
export class CalendarService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Shared with the intake; dropped on every change by any process (LISTEN/NOTIFY), see CalendarStore. */
  readonly store: CalendarStore;
  private coverageTimer: NodeJS.Timeout | null = null;
  private readonly logger = new Logger('Calendar');

  constructor(
    @InjectRepository(CalendarYearEntity) private readonly years: Repository<CalendarYearEntity>,
    @InjectRepository(SlaPolicyEntity) private readonly policyRows: Repository<SlaPolicyEntity>,
    private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.store = new CalendarStore(ds, config.timeZone, () => clock.now());
  }

  async onApplicationBootstrap(): Promise<void> {
    // Another replica's (or the CLI's) change of the calendar or the policies must reach this process's cache.
    if (this.config.databaseUrl) await this.store.listen(this.config.databaseUrl, (m) => this.logger.warn(m));
    const check = () => this.checkCoverage().catch((err) => this.logger.warn(`calendar coverage check failed: ${String(err)}`));
    await check();
    this.coverageTimer = setInterval(check, 3_600_000);
    this.coverageTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.coverageTimer) clearInterval(this.coverageTimer);
    await this.store.close();
  }

  private provisionalYears(): number[] {
    return this.store.provisionalYears();
  }

  current(): Promise<{ spec: CalendarSpec; calendar: WorkingCalendar }> {
    return this.store.current();
  }

  /** Every year the calendar holds, official or provisional, with its holidays and 调休 days and their reasons. */
  async overview(): Promise<CalendarYearOverview[]> {
    const loaded = await this.years.find({ order: { year: 'ASC' } });
    return calendarOverview({
      extraYears: loaded.map((y) => ({ year: y.year, holidays: y.holidays, workdays: y.workdays })),
      sources: new Map(loaded.map((y) => [y.year, y.source])),
      provisionalYears: this.provisionalYears(),
    });
  }

  /** The calendar a workflow gets as input: the years around the report, so the history stays small. */
  specFor(at: number): Promise<CalendarSpec> {
    return this.store.specFor(at);
  }

  async coverage(): Promise<CalendarCoverage> {
    const { calendar, spec } = await this.current();
    const firstUncoveredDate = calendar.firstUncoveredDate(this.clock.now(), COVERAGE_HORIZON_DAYS);
    return { ok: firstUncoveredDate === null, coveredYears: spec.coveredYears, firstUncoveredDate, horizonDays: COVERAGE_HORIZON_DAYS };
  }

  /**
   * The coverage, and once per missing year an in-app notice to the admins that the holiday schedule must be
   * loaded. Run at API start, every hour after, and on each /health.
   */
  async checkCoverage(): Promise<CalendarCoverage> {
    const coverage = await this.coverage();
    if (coverage.firstUncoveredDate) {
      const first = coverage.firstUncoveredDate;
      const year = first.slice(0, 4);
      const zh = this.config.locale === 'zh-CN';
      await recordInAppNotification(this.ds, {
        idempotencyKey: `calendar-coverage:${year}`,
        incidentId: null,
        event: 'calendar_not_covered',
        recipientId: null,
        recipientRole: 'admin',
        locale: this.config.locale,
        title: zh ? `工作日历缺少${year}年的节假日安排` : `The working calendar lacks the ${year} holiday schedule`,
        body: zh
          ? `从${first}起的日期暂按法定节假日（不含调休）计算，相关时限标记为“临时”；请通过 PUT /calendar/years/${year} 载入国务院公布的${year}年放假与调休安排。`
          : `Dates from ${first} are computed provisionally from the statutory holidays (without 调休) and their deadlines are marked provisional. Load the official ${year} schedule with PUT /calendar/years/${year}.`,
      });
    }
    return coverage;
  }

  /** Loads or replaces one year's official schedule; every date must lie in that year and be a real date. */
  async loadYear(input: CalendarYear, source: string, loadedBy: string): Promise<CalendarYearEntity> {
    const check = (dates: string[], field: string) =>
      dates.map((d, i) => {
        parseIsoDate(d, `${field}[${i}]`);
        if (Number(d.slice(0, 4)) !== input.year) throw invalidInput(`${field}[${i}]`, `${d} is not in ${input.year}`, `${d} 不在 ${input.year} 年内`);
        return d;
      });
    const holidays = [...new Set(check(input.holidays, 'holidays'))].sort();
    const workdays = [...new Set(check(input.workdays, 'workdays'))].sort();
    const clash = holidays.find((d) => workdays.includes(d));
    if (clash) throw invalidInput('workdays', `${clash} is listed as both a holiday and a working day`, `${clash} 同时被列为节假日和调休上班日`);
    for (const d of workdays) {
      const day = parseIsoDate(d, 'workdays');
      const weekday = new Date(day * 86_400_000).getUTCDay();
      if (weekday !== 0 && weekday !== 6) throw invalidInput('workdays', `${formatDayNumber(day)} is a weekday; adjusted working days are weekends`, `${formatDayNumber(day)} 是周一至周五；调休上班日应为周末`);
    }
    await this.years.upsert({ year: input.year, holidays, workdays, source, loadedBy }, ['year']);
    this.store.invalidate();
    return this.years.findOneByOrFail({ year: input.year });
  }

  /** The same from an iCalendar file; what the year's checks refuse is reported against the field the admin sent, `ics`. */
  async loadYearIcs(year: number, ics: string, source: string, loadedBy: string): Promise<CalendarYearEntity> {
    const parsed = parseCalendarIcs(ics, year);
    try {
      return await this.loadYear(parsed, source, loadedBy);
    } catch (e) {
      if (e instanceof DomainError && e.code === DomainErrorCode.InvalidInput) throw invalidInput('ics', e.message, 'ICS 文件无法解析');
      throw e;
    }
  }

  bundledYears(): number[] {
    return bundledCalendarYears().map((y) => y.year);
  }

  async loadedYears(): Promise<CalendarYearEntity[]> {
    return this.years.find({ order: { year: 'ASC' } });
  }

  policies(): Promise<SlaPolicy[]> {
    return this.store.policies();
  }

  policy(version?: number): Promise<SlaPolicy> {
    return this.store.policy(version);
  }

  /** A new policy version; the contract (version 1) is built in and cannot be replaced. */
  async addPolicy(policy: Omit<SlaPolicy, 'version'>, createdBy: string): Promise<SlaPolicy> {
    return this.ds.transaction(async (tx) => {
      await tx.query('LOCK TABLE sla_policies IN EXCLUSIVE MODE');
      const [{ max }] = await tx.query('SELECT COALESCE(MAX(version), 1) AS max FROM sla_policies');
      const full = validatePolicy({ ...policy, version: Number(max) + 1 }, CONTRACT_POLICY);
      await tx.query('INSERT INTO sla_policies (version, body, created_by) VALUES ($1, $2, $3)', [full.version, JSON.stringify(full), createdBy]);
      return full;
    }).finally(() => this.store.invalidate());
  }
}
