import { Client, ScheduleAlreadyRunning, ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import type { ForecastSettings } from '../activities/forecast.activities';
import type { WardlineConfig } from '../config';
import { fixedOffsetOf } from './china-calendar';

export const FORECAST_SCHEDULE_ID = 'wardline-forecasts';
export const FORECAST_WORKFLOW_TYPE = 'forecastWorkflow';

/**
 * The Temporal Schedule that runs the forecasts (P2) every `everyMs`: created on the worker's start, or brought up to
 * date when it exists (an interval or a setting changed). A run still going when the next is due is not doubled.
 */
export async function ensureForecastSchedule(
  client: Client,
  options: { scheduleId?: string; taskQueue: string; everyMs: number; settings: ForecastSettings },
): Promise<ScheduleHandle> {
  const scheduleId = options.scheduleId ?? FORECAST_SCHEDULE_ID;
  const spec = { intervals: [{ every: options.everyMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: FORECAST_WORKFLOW_TYPE,
    workflowId: `${scheduleId}-run`,
    taskQueue: options.taskQueue,
    args: [{ settings: options.settings }],
  };
  try {
    return await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action }));
    return handle;
  }
}

/** The run settings the configuration gives (WARDLINE_FORECAST_*, WARDLINE_BACKUP_*). */
export function forecastSettingsOf(config: WardlineConfig): ForecastSettings {
  const f = config.monitoring.forecast;
  return {
    windowMs: f.windowMs,
    stepMs: f.stepMs,
    horizonMs: f.horizonMs,
    method: f.method,
    backupMaxAgeMs: f.backupMaxAgeMs,
    backupIntervalMs: f.backupIntervalMs,
    utcOffsetMinutes: fixedOffsetOf(config.timeZone),
  };
}
