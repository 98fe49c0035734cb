import { batchSize, planBatches, thresholdExceeded } from './batches';
import { JobRunInput, JobRunProcess } from './job-run';
import { resolveParameters, specProblems } from './parameters';
import { planUpdates, prometheusUp } from './patch';
import { domainError } from '../testing/domain-error';

const input = (over: Partial<JobRunInput> = {}): JobRunInput => ({
  runId: 'r1',
  number: 'JOB-1',
  kind: 'job',
  hosts: ['a', 'b', 'c', 'd', 'e'],
  batch: { size: 2 },
  canaries: 0,
  parallelism: 2,
  threshold: { maxFailures: 1 },
  connectTimeoutMs: 1000,
  commandTimeoutMs: 1000,
  changeWindowEnd: null,
  requestedBy: { id: 'u', name: 'U' },
  ...over,
});
const actor = { id: 'u', name: 'U' };

describe('rolling batches (P5)', () => {
  it('cuts by size or percentage, canaries first', () => {
    expect(planBatches([1, 2, 3, 4, 5], { size: 2 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(planBatches([1, 2, 3, 4, 5], { percent: 40 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(planBatches([1, 2, 3, 4, 5], { size: 3 }, 1)).toEqual([[1], [2, 3, 4], [5]]);
    expect(batchSize({ percent: 1 }, 5)).toBe(1);
    expect(planBatches([], { size: 3 })).toEqual([]);
  });

  it('the threshold counts failures or their share', () => {
    expect(thresholdExceeded({ maxFailures: 1 }, 1, 10)).toBe(false);
    expect(thresholdExceeded({ maxFailures: 1 }, 2, 10)).toBe(true);
    expect(thresholdExceeded({ maxFailures: 0 }, 1, 10)).toBe(true);
    expect(thresholdExceeded({ maxFailurePercent: 20 }, 2, 10)).toBe(false);
    expect(thresholdExceeded({ maxFailurePercent: 20 }, 3, 10)).toBe(true);
    expect(thresholdExceeded({}, 10, 10)).toBe(false);
  });
});

describe('job run process', () => {
  it('stops past the threshold and skips the hosts not started', () => {
    const p = new JobRunProcess(input(), 0);
    expect(p.finished('a', { status: 'failed', exitCode: 1, errorKind: 'nonzero_exit', durationMs: 5 }, 1)).toBe(false);
    expect(p.finished('b', { status: 'failed', exitCode: null, errorKind: 'unreachable', durationMs: 5 }, 2)).toBe(true);
    expect(p.mayStart(3)).toBe(false);
    expect(p.finish(4)).toEqual(['c', 'd', 'e']);
    const v = p.view();
    expect(v.state).toBe('stopped_threshold');
    expect(v.counts).toEqual({ total: 5, pending: 0, running: 0, succeeded: 0, failed: 2, skipped: 3 });
    expect(v.byErrorKind).toEqual({ nonzero_exit: 1, unreachable: 1 });
  });

  it('pause, resume and cancel follow the state; an illegal one is a 409-kind error naming what is allowed', () => {
    const p = new JobRunProcess(input(), 0);
    const e = domainError(() => p.apply({ action: 'resume', actor }, 1));
    expect(e.code).toBe('ILLEGAL_TRANSITION');
    expect(e.details.allowedActions).toEqual(['pause', 'cancel']);
    p.apply({ action: 'pause', actor }, 1);
    expect(p.mayStart(2)).toBe(false);
    p.apply({ action: 'resume', actor }, 3);
    expect(p.mayStart(4)).toBe(true);
    p.apply({ action: 'cancel', actor, reason: 'wrong hosts' }, 5);
    expect(p.view()).toMatchObject({ state: 'cancelled', stopReason: 'wrong hosts', allowedActions: [] });
    expect(domainError(() => p.apply({ action: 'pause', actor }, 6)).code).toBe('ILLEGAL_TRANSITION');
  });

  it('S4: no host starts after the change window closed', () => {
    const p = new JobRunProcess(input({ changeWindowEnd: 100 }), 0);
    expect(p.mayStart(100)).toBe(true);
    expect(p.mayStart(101)).toBe(false);
    expect(p.view().state).toBe('stopped_window');
  });

  it('ends succeeded or completed_with_failures by its results', () => {
    const ok = new JobRunProcess(input({ hosts: ['a'] }), 0);
    ok.finished('a', { status: 'succeeded', exitCode: 0, errorKind: null, durationMs: 1 }, 1);
    ok.finish(2);
    expect(ok.view().state).toBe('succeeded');
    const some = new JobRunProcess(input({ hosts: ['a', 'b'], threshold: {} }), 0);
    some.finished('a', { status: 'failed', exitCode: 2, errorKind: 'nonzero_exit', durationMs: 1 }, 1);
    some.finished('b', { status: 'succeeded', exitCode: 0, errorKind: null, durationMs: 1 }, 1);
    some.finish(2);
    expect(some.view().state).toBe('completed_with_failures');
  });
});

describe('typed parameters', () => {
  const specs = [
    { name: 'service', type: 'string' as const, pattern: '[a-z0-9-]+' },
    { name: 'lines', type: 'integer' as const, min: 1, max: 1000, default: 50 },
    { name: 'mode', type: 'enum' as const, values: ['status', 'restart'] },
  ];
  it('checks types, patterns and unknown names, naming each field', () => {
    expect(resolveParameters(specs, { service: 'nginx', mode: 'status' })).toEqual({ values: { service: 'nginx', lines: '50', mode: 'status' }, problems: [] });
    const bad = resolveParameters(specs, { service: `x'; rm -rf /`, lines: 5000, mode: 'stop', extra: 1 });
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['parameters.extra', 'parameters.lines', 'parameters.mode', 'parameters.service']);
  });
  it('refuses bad specs', () => {
    expect(specProblems([{ name: 'PATH', type: 'string' }, { name: 'path', type: 'string' }, { name: 'e', type: 'enum' }]).map((p) => p.field)).toEqual([
      'parameters[0].name',
      'parameters[1].name',
      'parameters[2].values',
    ]);
  });
});

describe('patch plan', () => {
  const avail = [{ name: 'openssl' }, { name: 'libssl3' }, { name: 'kernel.x86_64' }, { name: 'tzdata' }];
  it('includes by glob (all when none given) and excludes after', () => {
    expect(planUpdates(avail, null, []).map((u) => u.name)).toEqual(['openssl', 'libssl3', 'kernel.x86_64', 'tzdata']);
    expect(planUpdates(avail, ['*ssl*'], []).map((u) => u.name)).toEqual(['openssl', 'libssl3']);
    expect(planUpdates(avail, null, ['kernel']).map((u) => u.name)).toEqual(['openssl', 'libssl3', 'tzdata']);
    expect(planUpdates(avail, ['open.ssl'], []).map((u) => u.name)).toEqual([]);
  });
  it('reads Prometheus up', () => {
    expect(prometheusUp({ data: { result: [{ metric: { job: 'node' }, value: [1, '1'] }] } }).ok).toBe(true);
    expect(prometheusUp({ data: { result: [{ metric: { job: 'node' }, value: [1, '0'] }] } })).toEqual({ ok: false, why: 'up is 0 for node' });
    expect(prometheusUp({ data: { result: [] } }).ok).toBe(false);
    expect(prometheusUp('garbage').ok).toBe(false);
  });
});
