/**
 * Rolling batches and the failure threshold of a job run (P5): hosts go in batches of a size or a percentage,
 * optionally behind canaries; a run stops once more hosts failed than the threshold allows.
 */
export type BatchSpec = { size: number } | { percent: number };

export interface FailureThreshold {
  /** Stop once this many hosts failed (0: the first failure stops the run). */
  maxFailures?: number;
  /** Stop once this share of the run's hosts failed. */
  maxFailurePercent?: number;
}

export function batchSize(spec: BatchSpec, total: number): number {
  if ('size' in spec) return Math.max(1, Math.floor(spec.size));
  return Math.max(1, Math.ceil((total * spec.percent) / 100));
}

/** Hosts in order, cut into batches; `canaries` first hosts form batch 0 on their own. */
export function planBatches<T>(hosts: T[], spec: BatchSpec, canaries = 0): T[][] {
  const batches: T[][] = [];
  const head = Math.min(Math.max(0, canaries), hosts.length);
  if (head > 0) batches.push(hosts.slice(0, head));
  const rest = hosts.slice(head);
  const size = batchSize(spec, hosts.length);
  for (let i = 0; i < rest.length; i += size) batches.push(rest.slice(i, i + size));
  return batches;
}

/** Whether `failed` failures out of `total` hosts go past the threshold. No threshold: never. */
export function thresholdExceeded(threshold: FailureThreshold, failed: number, total: number): boolean {
  if (threshold.maxFailures !== undefined && failed > threshold.maxFailures) return true;
  if (threshold.maxFailurePercent !== undefined && total > 0 && (failed * 100) / total > threshold.maxFailurePercent) return true;
  return false;
}
