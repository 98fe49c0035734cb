import { DataSource, EntityManager } from 'typeorm';
import { formatDayNumber, localDayNumber } from '../domain/time';

/** The record kinds with readable numbers, and the counter table of each. */
const COUNTERS = { INC: 'incident_counters', CHG: 'change_counters', MOD: 'modification_counters', JOB: 'job_run_counters', INS: 'inspection_counters', AP: 'acceptance_pack_counters', PRB: 'problem_counters', SR: 'support_request_counters' } as const;

/** `INC-20261127-0001`: numbered per day of the contract's zone, from a per-kind counter row. */
export async function allocateNumber(ds: DataSource | EntityManager, prefix: keyof typeof COUNTERS, now: number, utcOffsetMinutes: number): Promise<string> {
  const table = COUNTERS[prefix];
  const day = formatDayNumber(localDayNumber(now, utcOffsetMinutes));
  const [row] = await ds.query(
    `INSERT INTO ${table} (day, last_value) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last_value = ${table}.last_value + 1 RETURNING last_value`,
    [day],
  );
  return `${prefix}-${day.replace(/-/g, '')}-${String(row.last_value).padStart(4, '0')}`;
}
