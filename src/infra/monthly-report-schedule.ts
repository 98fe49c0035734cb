import { Client, ScheduleAlreadyRunning, ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import { MONTHLY_REPORT_SCHEDULE_WORKFLOW_TYPE, MonthlyReportScheduleInput } from '../shared/evidence-messages';

/**
 * S8: the monthly service report is drafted on the first working day of each month. Cron cannot say "first working
 * day" in the China calendar (holidays and 调休 move it: after 国庆 it can be the 8th or later), so the Temporal
 * Schedule runs every morning of the first half of the month and the workflow asks the calendar whether today is
 * the day; the report's workflow id is its month, so it is started once however often the schedule runs.
 */
export interface MonthlyReportConfig {
  /** Cron in the contract's zone (09:00 on days 1–15). */
  cron: string;
  /** Whether the worker keeps the schedule (WARDLINE_MONTHLY_REPORT_SCHEDULE=false turns it off). */
  schedule: boolean;
}

export function loadMonthlyReportConfig(env: NodeJS.ProcessEnv = process.env): MonthlyReportConfig {
  return { cron: env.WARDLINE_MONTHLY_REPORT_CRON || '0 9 1-15 * *', schedule: env.WARDLINE_MONTHLY_REPORT_SCHEDULE !== 'false' };
}

export const MONTHLY_REPORT_SCHEDULE_ID = 'wardline-monthly-report';

export async function ensureMonthlyReportSchedule(
  client: Client,
  options: { taskQueue: string; timeZone: string; config: MonthlyReportConfig; scheduleId?: string },
): Promise<ScheduleHandle> {
  const scheduleId = options.scheduleId ?? MONTHLY_REPORT_SCHEDULE_ID;
  const spec = { cronExpressions: [options.config.cron], timezone: options.timeZone };
  const input: MonthlyReportScheduleInput = {};
  const action = { type: 'startWorkflow' as const, workflowType: MONTHLY_REPORT_SCHEDULE_WORKFLOW_TYPE, workflowId: `${scheduleId}-run`, taskQueue: options.taskQueue, args: [input] };
  const create = () =>
    client.schedule.create({ scheduleId, spec, action, memo: { cron: options.config.cron }, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } });
  try {
    return await create();
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    const d = await handle.describe();
    // The cron lives in the memo (a describe gives calendars back, not the text); a changed one makes it anew.
    if (d.memo?.cron !== options.config.cron) {
      await handle.delete();
      return create();
    }
    await handle.update((previous) => ({ ...previous, spec, action }));
    return handle;
  }
}
