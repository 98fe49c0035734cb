import { proxyActivities, uuid4 } from '@temporalio/workflow';
import type { ForecastRunSummary, ForecastSettings, createForecastActivities } from '../activities/forecast.activities';

// The adapter's per-query timeout (10 s by default) stays well under this; a run reads a handful of queries.
const { runForecasts } = proxyActivities<ReturnType<typeof createForecastActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

export interface ForecastWorkflowInput {
  settings: ForecastSettings;
}

/** One forecast run (P2), started by the `wardline-forecasts` Temporal Schedule (or on demand by a trigger). */
export async function forecastWorkflow(input: ForecastWorkflowInput): Promise<ForecastRunSummary> {
  return runForecasts({ runId: uuid4(), at: Date.now(), settings: input.settings });
}
