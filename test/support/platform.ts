import { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/api/app.module';
import { Role } from '../../src/api/auth/roles';
import { Clock } from '../../src/api/common/tokens';
import { WardlineConfig, loadConfig } from '../../src/config';
import { bootstrapAdmin, issueToken } from '../../src/persistence/users-store';
import { WorkerHandle, createWardlineWorker } from '../../src/worker';
import { TestDatabase, createTestDatabase } from './database';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export interface TestUser {
  id: string;
  token: string;
  name: string;
}

/** The real API (listening on a loopback port) and a real worker, on a fresh database and task queue. */
export interface TestPlatform {
  config: WardlineConfig;
  db: TestDatabase;
  ds: DataSource;
  temporal: Client;
  baseUrl: string;
  adminToken: string;
  call<T = any>(method: string, path: string, token?: string | null, body?: unknown): Promise<ApiResponse<T>>;
  user(roles: Role[], displayName?: string): Promise<TestUser>;
  stop(): Promise<void>;
}

export function testConfig(overrides: Partial<WardlineConfig> = {}): WardlineConfig {
  return {
    ...loadConfig({}),
    temporalAddress: process.env.WARDLINE_TEST_TEMPORAL_ADDRESS,
    taskQueue: `test-${randomUUID()}`,
    port: 0,
    // Tests report faults on fixed 2026 dates; the product's default limit (366 days back) would refuse them from
    // late 2027 on. Ten years keeps them valid and still refuses a 1970 typo; test/reported-at.api.test.ts checks
    // the product's limit itself.
    reportedAt: { contractStart: null, maxAgeDays: 3650 },
    ...overrides,
  };
}

let runtimeQuiet = false;
/** Worker state changes at INFO drown the test output; the first worker of the process installs a quieter runtime. */
function quietRuntime(): void {
  if (runtimeQuiet) return;
  runtimeQuiet = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by an earlier test file in this process */
  }
}

export async function startWorker(config: WardlineConfig, ds: DataSource): Promise<{ handle: WorkerHandle; stop(): Promise<void> }> {
  quietRuntime();
  const handle = await createWardlineWorker(config, { dataSource: ds, workflowBundlePath: process.env.WARDLINE_TEST_WORKFLOW_BUNDLE });
  const running = handle.run();
  return {
    handle,
    stop: async () => {
      handle.worker.shutdown();
      await running;
      await handle.close();
    },
  };
}

export async function startPlatform(
  options: { clock?: Clock; worker?: boolean; config?: Partial<WardlineConfig> } = {},
): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const config = testConfig({ databaseUrl: db.url, ...options.config });
  const worker = options.worker === false ? null : await startWorker(config, db.dataSource);
  const connection = await Connection.connect({ address: config.temporalAddress! });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  let app: INestApplication | null = await createApp({ config, dataSource: db.dataSource, temporal, clock: options.clock }, { logger: false });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const adminToken = (await bootstrapAdmin(db.dataSource))!;
  let users = 0;

  const call = async (method: string, path: string, token?: string | null, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };

  return {
    config,
    db,
    ds: db.dataSource,
    temporal,
    baseUrl,
    adminToken,
    call,
    user: async (roles, displayName) => {
      users++;
      const name = displayName ?? `${roles[0]}-${users}`;
      const [row] = await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, $2, $3) RETURNING id`, [
        `${roles[0].replace(/_/g, '-')}-${users}-${randomUUID().slice(0, 6)}`,
        name,
        roles,
      ]);
      const issued = await issueToken(db.dataSource, row.id, 'test');
      return { id: row.id, token: issued.token, name };
    },
    stop: async () => {
      await worker?.stop();
      await app?.close();
      app = null;
      await connection.close();
      await db.drop();
    },
  };
}
