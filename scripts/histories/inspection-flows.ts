import { INSPECTION_WORKFLOW_TYPE } from '../../src/shared/inspection-messages';
import { loadInspectionConfig, scheduledInput } from '../../src/infra/inspection-schedule';
import { waitUntil } from '../../test/support/workflow-input';
import type { FlowCase, FlowContext } from './flows';

/** P4/S16 flows: an on-demand inspection through the API, and a run as the monthly schedule starts it. */

function must(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

let fixture: Promise<void> | null = null;

/** SYS-20 on an unreachable server and the recorder's own PostgreSQL (read-only, as its owner), one database with a wrong password. */
function inspectionFixture(ctx: FlowContext): Promise<void> {
  fixture ??= (async () => {
    const { p, people: u } = ctx;
    const url = new URL(p.db.url);
    must(await p.call('POST', '/db-credentials', u.itManager.token, { name: 'hist-pg', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) || 'none' }), 201);
    must(await p.call('POST', '/db-credentials', u.itManager.token, { name: 'hist-pg-wrong', username: decodeURIComponent(url.username), password: 'wrong-password' }), 201);
    const item = async (type: string, name: string, attributes: Record<string, unknown>, criticality = 'medium') =>
      must(await p.call('POST', '/cmdb/items', u.engineer.token, { type, name, displayName: name, criticality, attributes }), 201);
    const down = await item('server', 'hist-insp-down', { os: 'Debian 12', ip: '127.0.43.1', sshPort: 9, sshCredential: 'none-such' }, 'high');
    const db = await item('database', 'hist-insp-pg', { engine: 'postgresql', host: url.hostname, port: Number(url.port), dbName: url.pathname.slice(1), dbCredential: 'hist-pg' }, 'critical');
    const wrong = await item('database', 'hist-insp-pg-wrong', { engine: 'postgresql', host: url.hostname, port: Number(url.port), dbName: url.pathname.slice(1), dbCredential: 'hist-pg-wrong' });
    for (const [type, target] of [['runs_on', down.id], ['uses_database', db.id], ['uses_database', wrong.id]] as const) {
      must(await p.call('POST', '/cmdb/relations', u.engineer.token, { type, sourceId: 'SYS-20', targetId: target }), 201);
    }
  })();
  return fixture;
}

export const INSPECTION_CASES: FlowCase[] = [
  {
    // Through the API: items collected two at a time, scored, the report rendered by the shared renderer.
    name: 'inspection/on-demand',
    produces: ['inspection/on-demand'],
    async run(ctx) {
      await inspectionFixture(ctx);
      const started = must(await ctx.p.call('POST', '/inspections', ctx.people.engineer.token, { scope: { system: 'SYS-20' } }), 201);
      await waitUntil('the inspection to finish', async () => ((await ctx.p.call('GET', `/inspections/${started.id}`, ctx.people.engineer.token)).body.state !== 'running' ? true : null), 180_000);
      return { 'inspection/on-demand': started.workflowId };
    },
  },
  {
    // As a Temporal Schedule starts it: no row yet, the workflow's first activity makes one.
    name: 'inspection/scheduled',
    produces: ['inspection/scheduled'],
    async run(ctx) {
      await inspectionFixture(ctx);
      const input = { ...scheduledInput('monthly', loadInspectionConfig({})), scope: { itemType: 'database' }, connectTimeoutMs: 3000, queryTimeoutMs: 5000 };
      const workflowId = `wardline-inspection-monthly-run-${Date.now()}`;
      await ctx.p.temporal.workflow.execute(INSPECTION_WORKFLOW_TYPE, { workflowId, taskQueue: ctx.p.config.taskQueue, args: [input] });
      return { 'inspection/scheduled': workflowId };
    },
  },
];
