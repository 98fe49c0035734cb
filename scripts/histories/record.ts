import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { freePort } from '../../src/infra/net';
import { loadNotifyConfig } from '../../src/infra/notify-config';
import { startTemporalDevServer } from '../../src/infra/temporal-dev-server';
import { startPlatform } from '../../test/support/platform';
import { historyToFileJson } from '../../test/support/histories';
import { CASES, FlowContext, Recorded, setUpPeople } from './flows';
import { stopSshFixture } from './job-flows';

/**
 * `npm run histories:record`: runs representative flows of every workflow type against a real Temporal dev
 * server, PostgreSQL and worker, and saves each workflow's history as JSON under test/histories/<type>/<case>.json.
 * test/histories.replay.test.ts replays them all against the current workflow bundle, so a change to a
 * workflow's commands that is not behind `patched()` fails the suite.
 *
 * Old histories stay: an existing file is never overwritten unless --force is given. After a patched change,
 * record new histories beside the old ones with --tag <patch-id> (files become <case>.<patch-id>.json).
 *
 *   npm run histories:record                          # every case whose file is missing
 *   npm run histories:record -- --only escalation     # the cases of a type (or name cases: --only incident/breach,change/standard)
 *   npm run histories:record -- --tag reason-codes    # record all cases again as <case>.reason-codes.json
 *   npm run histories:record -- --list                # list the cases
 */

const ROOT = resolve(__dirname, '..', '..', '..');
const OUT = join(ROOT, 'test', 'histories');

interface Options {
  only: string[];
  tag: string | null;
  force: boolean;
  list: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { only: [], tag: null, force: false, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a === '--tag') o.tag = argv[++i] ?? null;
    else if (a === '--force') o.force = true;
    else if (a === '--list') o.list = true;
    else throw new Error(`unknown argument ${a} (use --only <prefix>, --tag <patch-id>, --force, --list)`);
  }
  if (o.tag !== null && !/^[a-z0-9][a-z0-9-]{0,40}$/.test(o.tag)) throw new Error('--tag must be a short kebab-case id, like the patch id');
  return o;
}

function fileFor(name: string, tag: string | null): string {
  // name is "<type>/<case>"
  return join(OUT, `${name}${tag ? `.${tag}` : ''}.json`);
}

/** A loopback HTTP server standing where WeCom, DingTalk and the vendor's webhook would: answers "ok" and keeps the texts. */
async function startReceiver(): Promise<{ base: string; texts: string[]; close(): Promise<void> }> {
  const texts: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      texts.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    texts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // --only takes case names (incident/breach) or whole types (escalation).
  const selected = CASES.filter((c) => options.only.length === 0 || options.only.some((p) => c.name === p || c.name.startsWith(`${p}/`)));
  if (options.list) {
    for (const c of CASES) console.log(`${c.name.padEnd(34)} → ${c.produces.join(', ')}`);
    return;
  }
  const wanted = selected.filter((c) => options.force || c.produces.some((name) => !existsSync(fileFor(name, options.tag))));
  if (wanted.length === 0) {
    console.log('every selected history exists already (old histories stay; pass --tag <patch-id> to record new ones beside them)');
    return;
  }

  const cleanups: (() => Promise<unknown>)[] = [];
  const runCleanups = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => console.error(err));
  };
  try {
    const dir = join(ROOT, '.data', 'histories');
    mkdirSync(dir, { recursive: true });
    if (process.env.DATABASE_URL) process.env.WARDLINE_TEST_DATABASE_URL = process.env.DATABASE_URL;
    else {
      const pg = await startEmbeddedPostgres({ dataDir: join(dir, `pg-${process.pid}`), port: await freePort(), database: 'wardline_histories', persistent: false });
      cleanups.push(pg.stop);
      process.env.WARDLINE_TEST_DATABASE_URL = pg.url;
    }
    if (process.env.TEMPORAL_ADDRESS) process.env.WARDLINE_TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
    else {
      const temporal = await startTemporalDevServer({ port: await freePort() });
      cleanups.push(temporal.stop);
      process.env.WARDLINE_TEST_TEMPORAL_ADDRESS = temporal.address;
    }
    // No WARDLINE_TEST_WORKFLOW_BUNDLE: the worker bundles the current workflow code itself.
    delete process.env.WARDLINE_TEST_WORKFLOW_BUNDLE;

    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const notify = loadNotifyConfig({
      WARDLINE_WECOM_BASE_URL: receiver.base,
      WARDLINE_DINGTALK_BASE_URL: receiver.base,
      WARDLINE_WEBHOOK_SECRET: 'histories-webhook-secret-0123456789',
      // The receiver is on loopback, which webhooks reach only when allowed.
      WARDLINE_WEBHOOK_ALLOW: '127.0.0.1',
      // Small, so a burst of five folds into a digest within seconds.
      WARDLINE_ROBOT_LIMIT: '3',
      WARDLINE_ROBOT_WINDOW_MS: '3000',
    });
    const p = await startPlatform({ config: { notify, publicUrl: 'https://wardline.hospital.example.cn' } });
    cleanups.push(p.stop);
    cleanups.push(stopSshFixture);
    const people = await setUpPeople(p, receiver.base);
    const ctx: FlowContext = { p, people, received: receiver.texts, receiverBase: receiver.base };

    let written = 0;
    for (const c of wanted) {
      const started = Date.now();
      process.stdout.write(`${c.name} … `);
      const recorded: Recorded = await c.run(ctx);
      const missing = c.produces.filter((name) => !(name in recorded));
      if (missing.length) throw new Error(`${c.name} did not produce ${missing.join(', ')}`);
      for (const [name, workflowId] of Object.entries(recorded)) {
        const file = fileFor(name, options.tag);
        if (existsSync(file) && !options.force) {
          console.log(`\n  kept ${file} (exists)`);
          continue;
        }
        const history = await p.temporal.workflow.getHandle(workflowId).fetchHistory();
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, historyToFileJson(history));
        written++;
      }
      console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    console.log(`wrote ${written} histories under ${OUT}`);
  } finally {
    await runCleanups();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    if (err instanceof WorkflowExecutionAlreadyStartedError) console.error('a workflow id repeated: run against a fresh Temporal server');
    console.error(err);
    process.exit(1);
  },
);
