import { Client, ScheduleAlreadyRunning, ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import { invalidInput } from '../domain/errors';
import type { Profile } from '../domain/inspection/catalogue';
import { INSPECTION_WORKFLOW_TYPE, InspectionWorkflowInput } from '../shared/inspection-messages';

/** How inspections run (P4, S16): WARDLINE_INSPECTION_* settings. */
export interface InspectionConfig {
  /** Cron (in the contract's zone) of the full quarterly inspection: 02:00 on the first day of each quarter. */
  quarterlyCron: string;
  /** The lighter monthly inspection, in the months without a quarterly one. */
  monthlyCron: string;
  /** Whether the worker keeps the two schedules (WARDLINE_INSPECTION_SCHEDULES=false turns them off). */
  schedules: boolean;
  parallelism: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidInput(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

export function loadInspectionConfig(env: NodeJS.ProcessEnv = process.env): InspectionConfig {
  return {
    quarterlyCron: env.WARDLINE_INSPECTION_QUARTERLY_CRON || '0 2 1 1,4,7,10 *',
    monthlyCron: env.WARDLINE_INSPECTION_MONTHLY_CRON || '0 2 1 2,3,5,6,8,9,11,12 *',
    schedules: env.WARDLINE_INSPECTION_SCHEDULES !== 'false',
    parallelism: int(env, 'WARDLINE_INSPECTION_PARALLELISM', 4, 1, 50),
    connectTimeoutMs: int(env, 'WARDLINE_INSPECTION_CONNECT_TIMEOUT_MS', 10_000, 500, 120_000),
    queryTimeoutMs: int(env, 'WARDLINE_INSPECTION_QUERY_TIMEOUT_MS', 30_000, 500, 600_000),
  };
}

export const INSPECTION_SCHEDULE_IDS: Record<Profile, string> = { quarterly: 'wardline-inspection-quarterly', monthly: 'wardline-inspection-monthly' };

export function scheduledInput(profile: Profile, config: InspectionConfig): InspectionWorkflowInput {
  return {
    profile,
    scope: { all: true },
    trigger: 'schedule',
    requestedBy: { id: null, name: profile === 'quarterly' ? '季度巡检计划 / quarterly schedule' : '月度巡检计划 / monthly schedule' },
    parallelism: config.parallelism,
    connectTimeoutMs: config.connectTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
  };
}

/**
 * The two Temporal Schedules of inspections (S16 quarterly, P4 "automatic periodic"): created when the worker
 * starts, or brought up to date when they exist. An inspection still running when the next is due is not doubled.
 */
export async function ensureInspectionSchedules(
  client: Client,
  options: { taskQueue: string; timeZone: string; config: InspectionConfig; ids?: Partial<Record<Profile, string>> },
): Promise<ScheduleHandle[]> {
  const handles: ScheduleHandle[] = [];
  for (const profile of ['quarterly', 'monthly'] as const) {
    const scheduleId = options.ids?.[profile] ?? INSPECTION_SCHEDULE_IDS[profile];
    const spec = { cronExpressions: [profile === 'quarterly' ? options.config.quarterlyCron : options.config.monthlyCron], timezone: options.timeZone };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: INSPECTION_WORKFLOW_TYPE,
      workflowId: `${scheduleId}-run`,
      taskQueue: options.taskQueue,
      args: [scheduledInput(profile, options.config)],
    };
    try {
      // The cron text rides in the memo: Temporal keeps cron specs as calendars, so a describe cannot give it back.
      handles.push(await client.schedule.create({ scheduleId, spec, action, memo: { cron: spec.cronExpressions[0] }, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } }));
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      const handle = client.schedule.getHandle(scheduleId);
      await handle.update((previous) => ({ ...previous, spec, action }));
      // A changed cron: the memo follows (the update above cannot change a memo).
      const d = await handle.describe();
      if (d.memo?.cron !== spec.cronExpressions[0]) {
        await handle.delete();
        handles.push(await client.schedule.create({ scheduleId, spec, action, memo: { cron: spec.cronExpressions[0] }, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } }));
        continue;
      }
      handles.push(handle);
    }
  }
  return handles;
}
