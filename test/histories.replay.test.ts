import { describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import * as workflows from '../src/workflows';
import { loadRecordedHistories, workflowTypeOfDir } from './support/histories';

/**
 * Workflows that can change without breaking the ones running: every recorded history (test/histories/, written
 * by `npm run histories:record`) replays against today's workflow bundle. A change to a workflow's commands that
 * is not behind `patched('<id>')` makes one of them diverge, and this test names it.
 */
describe('recorded workflow histories replay', () => {
  const histories = loadRecordedHistories();
  const replayOptions = () => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      /* a runtime is already installed in this process */
    }
    const codePath = process.env.WARDLINE_TEST_WORKFLOW_BUNDLE;
    if (!codePath) throw new Error('WARDLINE_TEST_WORKFLOW_BUNDLE is not set: run with jest (global setup bundles the workflows)');
    return { workflowBundle: { codePath } };
  };

  it('covers every workflow type the worker runs, each history in the folder of its type', () => {
    const types = Object.keys(workflows).sort();
    expect(types.length).toBeGreaterThanOrEqual(5);
    expect(histories.length).toBeGreaterThanOrEqual(types.length);
    const recordedTypes = [...new Set(histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name))].sort();
    // A new workflow type needs its histories recorded by the same script (see test/histories/README.md).
    expect(recordedTypes).toEqual(types);
    for (const h of histories) {
      expect({ name: h.name, type: h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name }).toEqual({
        name: h.name,
        type: workflowTypeOfDir(h.type),
      });
    }
  });

  it('replays every recorded history with the current workflow code', async () => {
    expect(histories.length).toBeGreaterThan(0);
    const results: { name: string; error: string | null }[] = [];
    const byId = new Map(histories.map((h, i) => [`${h.name}#${i}`, h.name]));
    const replays = Worker.runReplayHistories(
      replayOptions(),
      histories.map((h, i) => ({ workflowId: `${h.name}#${i}`, history: h.history })),
    );
    for await (const result of replays) {
      results.push({ name: byId.get(result.workflowId)!, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
    }
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it('fails a history whose commands differ from what the code does now (the replayer really checks)', async () => {
    const original = histories.find((h) => h.name === 'incident/lifecycle');
    expect(original).toBeDefined();
    // Pretend an old version scheduled a differently named activity: the current code must not match it.
    const tampered = temporal.api.history.v1.History.fromObject(temporal.api.history.v1.History.toObject(original!.history));
    const scheduled = tampered.events.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled).toBeDefined();
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'someActivityThatNoLongerExists' };
    await expect(Worker.runReplayHistory(replayOptions(), tampered, 'tampered-lifecycle')).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  });
});
