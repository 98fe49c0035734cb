import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { projecting, projectionFailure } from '../src/activities/projection-errors';
import { TestDatabase, createTestDatabase } from './support/database';

/** Issue 9: a NUL in a text field made the incident projection retry forever, logging the reporter on every retry. */
describe('projection activities fail for good on writes that can never succeed, and log no personal data', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const failureOf = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      return err as ApplicationFailure;
    }
    throw new Error('expected a failure');
  };

  it('a NUL reaching PostgreSQL is non-retryable, and the message carries neither the value nor the parameters', async () => {
    const failure = await failureOf(() => projecting('projectIncident', () => db.dataSource.query(`SELECT $1::text AS t, $2::text AS phone`, ['李护士长\u0000', '13800138000'])));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('PROJECTION_REJECTED');
    expect(failure.message).toContain('22021');
    expect(failure.message).not.toContain('李护士长');
    expect(failure.message).not.toContain('13800138000');
    expect(failure.cause).toBeUndefined();
  });

  it('a check violation is non-retryable; its detail line (the failing row) is not repeated', async () => {
    await db.dataSource.query(`CREATE TABLE t_check (name text, phone text CHECK (phone ~ '^[0-9]+$'))`);
    const failure = await failureOf(() => projecting('projectX', () => db.dataSource.query(`INSERT INTO t_check VALUES ($1, $2)`, ['王护士', 'call me'])));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('23514');
    expect(failure.message).toContain('t_check');
    expect(JSON.stringify(failure)).not.toContain('王护士');
  });

  it('anything else (a lost connection, a missing row of a foreign key) is retried, still without parameters', () => {
    const lost = projectionFailure('projectIncident', Object.assign(new Error('Connection terminated unexpectedly'), { parameters: ['李护士长', '8021'] }));
    expect(lost.nonRetryable).toBe(false);
    expect(lost.message).not.toContain('李护士长');
    const fk = projectionFailure('projectEscalation', { driverError: { code: '23503', table: 'escalations', constraint: 'escalations_incident_id_fkey' } });
    expect(fk.nonRetryable).toBe(false);
    expect(fk.message).toContain('escalations_incident_id_fkey');
  });
});
