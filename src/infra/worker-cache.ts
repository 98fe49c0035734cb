import { getHeapStatistics } from 'node:v8';

/**
 * Memory one cached incident workflow holds in the worker (its V8 context share, its state and history), measured by
 * `npm run bench:timers` (worker RSS over thousands of open incidents; README "Figures").
 */
export const MIB_PER_CACHED_WORKFLOW = 0.32;

/**
 * How many workflows the worker keeps in memory by default: half the heap this process may grow to, at the measured
 * cost per workflow, within [100, 10 000]. An evicted workflow is not lost: its next task replays its history (see
 * the bench for what that costs when timers fire), so the cache trades memory for CPU, never for correctness.
 */
export function workflowCacheSize(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  const budgetMiB = heapLimitBytes / 1024 / 1024 / 2;
  return Math.max(100, Math.min(10_000, Math.floor(budgetMiB / MIB_PER_CACHED_WORKFLOW)));
}
