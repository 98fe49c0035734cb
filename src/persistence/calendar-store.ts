import { DataSource, EntityManager } from 'typeorm';
import { CalendarSpec, WorkingCalendar } from '../domain/calendar';
import { CONTRACT_POLICY, SlaPolicy, requirePolicy } from '../domain/sla-policy';
import { buildCalendarSpec, fixedOffsetOf } from '../infra/china-calendar';
import { PgListener } from './pg-listener';

/** The channel the calendar_years and sla_policies triggers notify on (migration 1764400000000). */
export const CALENDAR_CHANNEL = 'wardline_calendar';

interface Loaded {
  spec: CalendarSpec;
  calendar: WorkingCalendar;
  policies: SlaPolicy[];
  /** The local year of "now" the provisional years were chosen for; a new year reloads. */
  forYear: number;
}

/**
 * The working calendar (bundled years plus those admins loaded) and the SLA policies, cached per process because every
 * incident needs both. The cache is dropped when any process changes either table: the tables' triggers NOTIFY
 * `wardline_calendar`, and a listener connection here hears it (and treats its own reconnection as a change, since a
 * notification sent while it was away is lost). So a year loaded through one API replica reaches the others at once.
 */
export class CalendarStore {
  private cached: Promise<Loaded> | null = null;
  /** Bumped by every invalidation; a load that began before one is not kept. */
  private generation = 0;
  private listener: PgListener | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly timeZone: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Years that get a provisional calendar from the statutory holidays when their official schedule is missing: this
   * year, the one before and the two after, so every deadline near now has at least the law's days off (S10, S2).
   */
  provisionalYears(): number[] {
    const year = new Date(this.now() + fixedOffsetOf(this.timeZone) * 60_000).getUTCFullYear();
    return [year - 1, year, year + 1, year + 2];
  }

  /** Listens for changes made by other processes; without it the cache only drops on this process's own writes. */
  async listen(url: string, log?: (message: string) => void): Promise<void> {
    if (this.listener) return;
    this.listener = new PgListener({
      url,
      channels: [CALENDAR_CHANNEL],
      onNotify: () => this.invalidate(),
      onConnected: () => this.invalidate(),
      log,
    });
    await this.listener.start();
  }

  async close(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
  }

  invalidate(): void {
    this.generation++;
    this.cached = null;
  }

  async current(): Promise<{ spec: CalendarSpec; calendar: WorkingCalendar }> {
    const { spec, calendar } = await this.loaded();
    return { spec, calendar };
  }

  /** The calendar a workflow gets as input: the years from the one before the report, so the history stays small. */
  async specFor(at: number): Promise<CalendarSpec> {
    const { spec, calendar } = await this.loaded();
    const year = Number(calendar.localDate(at).slice(0, 4));
    const keep = (d: string) => Number(d.slice(0, 4)) >= year - 1;
    return {
      ...spec,
      holidays: spec.holidays.filter(keep),
      workdays: spec.workdays.filter(keep),
      coveredYears: spec.coveredYears.filter((y) => y >= year - 1),
      provisionalYears: (spec.provisionalYears ?? []).filter((y) => y >= year - 1),
    };
  }

  /** The contract (version 1, built in) and every version added after it, oldest first. */
  async policies(): Promise<SlaPolicy[]> {
    return (await this.loaded()).policies;
  }

  /** A version, or the newest when none is named. */
  async policy(version?: number): Promise<SlaPolicy> {
    return requirePolicy(await this.policies(), version);
  }

  private async loaded(): Promise<Loaded> {
    const provisional = this.provisionalYears();
    const cached = await (this.cached ?? this.startLoad(provisional));
    if (cached.forYear === provisional[1]) return cached;
    // A new year began: the provisional years move with it.
    this.invalidate();
    return this.startLoad(provisional);
  }

  private startLoad(provisional: number[]): Promise<Loaded> {
    if (this.cached) return this.cached;
    const generation = this.generation;
    const load = this.load(this.ds.manager, provisional);
    this.cached = load;
    load.then(
      () => {
        if (this.generation !== generation && this.cached === load) this.cached = null;
      },
      () => {
        if (this.cached === load) this.cached = null;
      },
    );
    return load;
  }

  private async load(db: EntityManager, provisionalYears: number[]): Promise<Loaded> {
    const years: { year: number; holidays: string[]; workdays: string[] }[] = await db.query(
      `SELECT year, holidays, workdays FROM calendar_years ORDER BY year`,
    );
    const rows: { body: SlaPolicy }[] = await db.query(`SELECT body FROM sla_policies ORDER BY version`);
    const spec = buildCalendarSpec({ timeZone: this.timeZone, extraYears: years, provisionalYears });
    return { spec, calendar: new WorkingCalendar(spec), policies: [CONTRACT_POLICY, ...rows.map((r) => r.body)], forYear: provisionalYears[1] };
  }
}
