import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DataSource } from 'typeorm';
import { Allow, Public } from '../auth/decorators';
import { SIGNED_IN } from '../auth/roles';
import { Auth, Principal } from '../auth/principal';
import { CONFIG, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { ApiOp } from '../common/openapi';
import { HEALTH, LIVE } from '../misc.responses';

async function probe<T>(check: () => Promise<T>): Promise<{ ok: boolean; latencyMs: number; error?: string } & Partial<T>> {
  const started = Date.now();
  try {
    const extra = await check();
    return { ok: true, latencyMs: Date.now() - started, ...extra };
  } catch (err) {
    return { ok: false, latencyMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) } as never;
  }
}

/** A worker counts as reachable when it polled the task queue within this window. */
const POLLER_FRESH_MS = 90_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  /** Liveness for load balancers and compose health checks: says nothing about data. */
  @ApiOp({ summary: '存活检查 / Liveness', ok: LIVE })
  @Get('live')
  @Public()
  live() {
    return { status: 'ok' };
  }

  /** PostgreSQL, Temporal, the worker and the calendar's coverage of the next 60 days; the details (addresses, queue) for admins only. */
  @ApiOp({ summary: '健康检查（细节仅管理员可见） / Health (details for admins only)', ok: HEALTH })
  @Get()
  @Allow(...SIGNED_IN)
  async health(@Auth() auth: Principal) {
    const full = await this.details();
    return auth.roles.includes('admin') ? full : { status: full.status };
  }

  private async details() {
    const postgres = await probe(async () => {
      await this.ds.query('SELECT 1');
      return {};
    });
    const temporalCheck = await probe(async () => {
      await this.temporal.workflowService.getSystemInfo({});
      return { address: this.config.temporalAddress, namespace: this.config.temporalNamespace };
    });
    const worker = await probe(async () => {
      const res = await this.temporal.workflowService.describeTaskQueue({
        namespace: this.config.temporalNamespace,
        taskQueue: { name: this.config.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      // Poll times come from the Temporal server's real clock, so freshness is judged by the real clock too.
      const now = Date.now();
      const pollers = (res.pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        return now - seconds * 1000 < POLLER_FRESH_MS;
      });
      if (pollers.length === 0) throw new Error(`no worker polls task queue ${this.config.taskQueue}`);
      return { taskQueue: this.config.taskQueue, pollers: pollers.length };
    });
    const calendar = await this.calendars.checkCoverage();
    const ok = postgres.ok && temporalCheck.ok && worker.ok;
    return { status: ok ? (calendar.ok ? 'ok' : 'degraded') : 'down', postgres, temporal: temporalCheck, worker, calendar };
  }
}
