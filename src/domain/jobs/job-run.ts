import { DomainError, DomainErrorCode } from '../errors';
import { BatchSpec, FailureThreshold, planBatches, thresholdExceeded } from './batches';

/**
 * One job run's rules (P5): hosts in rolling batches, parallel within a batch, a failure threshold that stops the
 * run, pause/resume/cancel by people. A host that fails is a result; the run goes on until the threshold says stop.
 * The workflow holds one of these and asks it what to do next.
 */
export const ERROR_KINDS = ['unreachable', 'auth', 'host_key', 'timeout', 'nonzero_exit', 'error'] as const;
export type HostErrorKind = (typeof ERROR_KINDS)[number];

export const RUN_STATES = ['running', 'paused', 'succeeded', 'completed_with_failures', 'stopped_threshold', 'stopped_window', 'rolled_back', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const TERMINAL_RUN_STATES: RunState[] = ['succeeded', 'completed_with_failures', 'stopped_threshold', 'stopped_window', 'rolled_back', 'cancelled'];

export type HostStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface RunActor {
  id: string;
  name: string;
}

export interface JobRunInput {
  runId: string;
  number: string;
  kind: 'job' | 'patch';
  /** Run-host ids in run order (rows of job_run_hosts). */
  hosts: string[];
  batch: BatchSpec;
  canaries: number;
  parallelism: number;
  threshold: FailureThreshold;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** S4: for a run that needs an approved change, its window's end; no host starts after it. */
  changeWindowEnd: number | null;
  requestedBy: RunActor;
}

export interface HostSummary {
  status: 'succeeded' | 'failed';
  exitCode: number | null;
  errorKind: HostErrorKind | null;
  durationMs: number;
}

export type RunCommand = { action: 'pause'; actor: RunActor } | { action: 'resume'; actor: RunActor } | { action: 'cancel'; actor: RunActor; reason: string | null };
export type RunAction = RunCommand['action'];

export interface RunEvent {
  seq: number;
  at: number;
  type: RunAction | 'started' | 'batch_started' | 'batch_finished' | 'finished';
  actor: RunActor | null;
  data: Record<string, unknown>;
}

export interface RunCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface RunView {
  runId: string;
  number: string;
  state: RunState;
  batches: number;
  currentBatch: number;
  counts: RunCounts;
  byErrorKind: Partial<Record<HostErrorKind, number>>;
  stopReason: string | null;
  allowedActions: RunAction[];
  events: RunEvent[];
  seq: number;
}

function illegal(state: RunState, message: string, allowedActions: RunAction[]): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, message, { state, allowedActions });
}

export class JobRunProcess {
  readonly batches: string[][];
  private state: RunState = 'running';
  private status = new Map<string, HostStatus>();
  private kinds: Partial<Record<HostErrorKind, number>> = {};
  private current = -1;
  private stopReason: string | null = null;
  private events: RunEvent[] = [];
  private seq = 0;

  constructor(
    private readonly input: JobRunInput,
    at: number,
  ) {
    this.batches = planBatches(input.hosts, input.batch, input.canaries);
    for (const h of input.hosts) this.status.set(h, 'pending');
    this.event('started', null, at, { hosts: input.hosts.length, batches: this.batches.length });
  }

  private event(type: RunEvent['type'], actor: RunActor | null, at: number, data: Record<string, unknown> = {}): RunEvent {
    const e = { seq: ++this.seq, at, type, actor, data };
    this.events.push(e);
    return e;
  }

  get paused(): boolean {
    return this.state === 'paused';
  }

  get terminal(): boolean {
    return TERMINAL_RUN_STATES.includes(this.state);
  }

  /** Whether another host may start now: not paused, not ended, and (S4) still inside the change's window. */
  mayStart(at: number): boolean {
    if (this.terminal || this.state === 'paused') return false;
    if (this.input.changeWindowEnd !== null && at > this.input.changeWindowEnd) {
      this.stop('stopped_window', 'the approved change window closed', at);
      return false;
    }
    return true;
  }

  allowedActions(): RunAction[] {
    if (this.state === 'running') return ['pause', 'cancel'];
    if (this.state === 'paused') return ['resume', 'cancel'];
    return [];
  }

  check(command: RunCommand): void {
    const allowed = this.allowedActions();
    if (!allowed.includes(command.action)) throw illegal(this.state, `cannot ${command.action} a run that is ${this.state}; allowed: ${allowed.join(', ') || 'none'}`, allowed);
  }

  apply(command: RunCommand, at: number): RunEvent {
    this.check(command);
    if (command.action === 'pause') this.state = 'paused';
    else if (command.action === 'resume') this.state = 'running';
    else {
      this.state = 'cancelled';
      this.stopReason = command.reason ?? 'cancelled';
    }
    return this.event(command.action, command.actor, at, command.action === 'cancel' ? { reason: command.reason } : {});
  }

  beginBatch(index: number, at: number): RunEvent {
    this.current = index;
    return this.event('batch_started', null, at, { batch: index, hosts: this.batches[index].length });
  }

  endBatch(index: number, at: number): RunEvent {
    const hosts = this.batches[index];
    return this.event('batch_finished', null, at, {
      batch: index,
      succeeded: hosts.filter((h) => this.status.get(h) === 'succeeded').length,
      failed: hosts.filter((h) => this.status.get(h) === 'failed').length,
    });
  }

  started(host: string): void {
    this.status.set(host, 'running');
  }

  /** Records one host's result; returns true when this result pushed the run past its failure threshold. */
  finished(host: string, result: HostSummary, at: number): boolean {
    this.status.set(host, result.status);
    if (result.status === 'failed' && result.errorKind) this.kinds[result.errorKind] = (this.kinds[result.errorKind] ?? 0) + 1;
    const failed = this.count('failed');
    if (!this.terminal && thresholdExceeded(this.input.threshold, failed, this.input.hosts.length)) {
      this.stop('stopped_threshold', `${failed} of ${this.input.hosts.length} hosts failed, past the threshold`, at);
      return true;
    }
    return false;
  }

  /** A verification or rollback step outside the host loop stops the run the same way (patch runs). */
  stop(state: 'stopped_threshold' | 'stopped_window' | 'rolled_back', reason: string, at: number): void {
    if (this.terminal) return;
    this.state = state;
    this.stopReason = reason;
    this.event('finished', null, at, { state, reason });
  }

  /** Hosts never started are skipped; the run ends in the state its results call for. Returns the skipped hosts. */
  finish(at: number): string[] {
    const skipped = [...this.status.entries()].filter(([, s]) => s === 'pending').map(([h]) => h);
    for (const h of skipped) this.status.set(h, 'skipped');
    if (!this.terminal) {
      this.state = this.count('failed') > 0 ? 'completed_with_failures' : 'succeeded';
      this.event('finished', null, at, { state: this.state });
    }
    return skipped;
  }

  private count(s: HostStatus): number {
    let n = 0;
    for (const v of this.status.values()) if (v === s) n++;
    return n;
  }

  hostStatus(host: string): HostStatus | undefined {
    return this.status.get(host);
  }

  view(): RunView {
    return {
      runId: this.input.runId,
      number: this.input.number,
      state: this.state,
      batches: this.batches.length,
      currentBatch: this.current,
      counts: {
        total: this.input.hosts.length,
        pending: this.count('pending'),
        running: this.count('running'),
        succeeded: this.count('succeeded'),
        failed: this.count('failed'),
        skipped: this.count('skipped'),
      },
      byErrorKind: { ...this.kinds },
      stopReason: this.stopReason,
      allowedActions: this.allowedActions(),
      events: [...this.events],
      seq: this.seq,
    };
  }
}
