import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_TOLERANCE_MS, PmPlatform, PmPlatformError, checkInbound, createPmPlatform } from '../../adapters/pm-platform';
import { PmMapping, catalogProblems, parseMapping } from '../../domain/pm-platform/mapping';
import { formatInZone } from '../../domain/time';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { SecretKey, SecretVault } from '../../infra/secrets';
import { PmIntegrationRow, findIntegration, listIntegrations, storeInboxEvent } from '../../persistence/pm-store';
import {
  PM_INTEGRATION_WORKFLOW_TYPE,
  PmIntegrationInput,
  pmIntegrationWorkflowId,
  pmPollNowSignal,
} from '../../shared/pm-messages';
import { Principal } from '../auth/principal';
import { badRequest, conflict, fieldReasons, invalidFields, notFound, unauthorized, unprocessable } from '../common/errors';
import { CLOCK, CONFIG, Clock, SECRET_KEY, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CreateIntegrationDto, PmWebhookEventDto } from './integrations.dto';

/** The settings the integration workflow starts with: retries of a delivery within a round come from the config. */
export function integrationInput(config: WardlineConfig, row: Pick<PmIntegrationRow, 'id' | 'pollIntervalMs' | 'cursor'>): PmIntegrationInput {
  return {
    integrationId: row.id,
    cursor: row.cursor,
    pollIntervalMs: row.pollIntervalMs,
    delivery: { initialIntervalMs: config.pm.retryInitialMs, maximumIntervalMs: config.pm.retryMaxMs, maximumAttempts: config.pm.retryAttempts },
  };
}

@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Integrations');
  private readonly secrets: SecretVault;

  constructor(
    private readonly ds: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_KEY) key: SecretKey,
  ) {
    this.secrets = new SecretVault(ds, key);
  }

  /**
   * S15 set-up: the mapping's shape, then its names against the real platform (a tracker that does not exist is a
   * 422 naming the field, not a crash while polling), then the secret sealed in the vault, the integration's own
   * Wardline account, and the workflow that polls from the platform's "now".
   */
  async create(auth: Principal, dto: CreateIntegrationDto) {
    const settings = dto.kind === 'redmine' ? dto.redmine : dto.webhook;
    if (!settings) throw invalidFields([{ field: dto.kind, zh: `kind 为 ${dto.kind} 时必须提供 ${dto.kind} 设置`, en: `${dto.kind} settings are required when kind is ${dto.kind}` }]);
    const other = dto.kind === 'redmine' ? 'webhook' : 'redmine';
    if (dto[other]) throw invalidFields([{ field: other, zh: `kind 为 ${dto.kind} 时不能提供 ${other}`, en: `${other} must be absent when kind is ${dto.kind}` }]);
    const parsed = parseMapping(dto.mapping);
    if (!parsed.mapping) throw invalidFields(parsed.problems);
    const mapping = parsed.mapping;
    const [system] = await this.ds.query(`SELECT id FROM business_systems WHERE code = upper($1) OR display_name = $1`, [mapping.system.default]);
    if (!system) {
      throw unprocessable('INTEGRATION_MAPPING_INVALID', `没有业务系统“${mapping.system.default}”（须为编码如 SYS-11 或名称）`, `no business system "${mapping.system.default}" (use a code like SYS-11, or a name)`, {
        field: 'mapping.system.default',
      });
    }
    const [taken] = await this.ds.query(`SELECT 1 FROM pm_integrations WHERE name = $1`, [dto.name]);
    if (taken) throw conflict('CONFLICT', `已有名为“${dto.name}”的集成`, `an integration named "${dto.name}" exists`, { field: 'name' });

    const id = randomUUID();
    const redmine = dto.redmine;
    const webhook = dto.webhook;
    const secret = redmine ? redmine.apiKey : webhook!.secret;
    const platformSettings = {
      kind: dto.kind,
      baseUrl: redmine?.baseUrl ?? null,
      project: redmine?.project ?? null,
      progressUrl: webhook?.progressUrl ?? null,
      platformUserId: webhook?.platformUserId ?? null,
    };
    const platform = createPmPlatform(platformSettings, secret, { after: async () => [], forItem: async () => [] });
    const { platformUserId, cursor } = await this.checkPlatform(platform, mapping, dto);

    const row = await this.ds.transaction(async (tx) => {
      const [user] = await tx.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, $2, ARRAY['integration']) RETURNING id`, [
        `pm-${id.slice(0, 8)}`,
        dto.name,
      ]);
      const sealed = await this.secrets.store({ kind: redmine ? 'pm.api_key' : 'hmac', name: `integration ${dto.name}`, value: secret }, tx);
      await tx.query(
        `INSERT INTO pm_integrations (id, name, kind, base_url, project, progress_url, secret_id, mapping, poll_interval_ms, tolerance_ms, user_id,
           platform_user_id, workflow_id, cursor, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
        [
          id,
          dto.name,
          dto.kind,
          platformSettings.baseUrl,
          platformSettings.project,
          platformSettings.progressUrl,
          sealed.id,
          JSON.stringify(mapping),
          (dto.pollIntervalSeconds ?? 60) * 1000,
          (webhook?.toleranceSeconds ?? DEFAULT_TOLERANCE_MS / 1000) * 1000,
          user.id,
          platformUserId,
          pmIntegrationWorkflowId(id),
          JSON.stringify(cursor),
          auth.userId,
        ],
      );
      return (await findIntegration(tx, id))!;
    });
    await this.temporal.workflow.start(PM_INTEGRATION_WORKFLOW_TYPE, {
      workflowId: row.workflowId,
      taskQueue: this.config.taskQueue,
      args: [integrationInput(this.config, row)],
    });
    return this.get(id);
  }

  /** Reads the platform's catalogue and checks the mapping against it; what cannot be reached or is refused names its field. */
  private async checkPlatform(platform: PmPlatform, mapping: PmMapping, dto: CreateIntegrationDto): Promise<{ platformUserId: string | null; cursor: Record<string, string | number | null> }> {
    const where = dto.kind === 'redmine' ? { zh: `Redmine 项目 ${dto.redmine!.project} `, en: `Redmine project ${dto.redmine!.project}` } : { zh: '推送平台', en: 'the platform' };
    try {
      const problems = catalogProblems(mapping, await platform.catalog(), where);
      if (problems.length) {
        throw unprocessable('INTEGRATION_MAPPING_INVALID', `映射与${where.zh}不符：${problems.map((p) => p.zh).join('；')}`, `the mapping names what ${where.en} does not have: ${problems.map((p) => p.en).join('; ')}`, {
          errors: fieldReasons(problems),
        });
      }
      if (platform.kind === 'redmine') {
        const self = await platform.self();
        const now = await (platform as unknown as { now(): Promise<number> }).now();
        // Whole seconds, as Redmine compares; what was filed before the integration existed stays the hospital's.
        return { platformUserId: self?.id ?? null, cursor: { updatedOn: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
      }
      return { platformUserId: dto.webhook?.platformUserId ?? null, cursor: { seq: 0 } };
    } catch (err) {
      if (!(err instanceof PmPlatformError)) throw err;
      const field = err.kind === 'auth' ? 'redmine.apiKey' : err.kind === 'config' ? 'redmine.project' : 'redmine.baseUrl';
      const zh = err.kind === 'unavailable' ? `无法连接${where.zh}` : err.kind === 'auth' ? `${where.zh}拒绝了 API 密钥` : `${where.zh}的设置有误`;
      throw unprocessable('INTEGRATION_PLATFORM_REFUSED', zh, err.message, { field });
    }
  }

  async list() {
    const rows = await listIntegrations(this.ds);
    return Promise.all(rows.map((r) => this.summary(r)));
  }

  private async row(id: string): Promise<PmIntegrationRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await findIntegration(this.ds, id) : null;
    if (!row) throw notFound('NOT_FOUND', `没有集成 ${id}`, `no integration ${id}`, { field: 'id' });
    return row;
  }

  /** Times people read are in the contract's zone, never the machine's. */
  private t(d: Date | null): string | null {
    return d ? formatInZone(new Date(d).getTime(), fixedOffsetOf(this.config.timeZone)) : null;
  }

  private async summary(r: PmIntegrationRow) {
    const [outbound] = await this.ds.query(
      `SELECT count(*)::int AS pending, min(created_at) AS oldest, max(last_error) FILTER (WHERE last_error IS NOT NULL) AS error
         FROM pm_outbox WHERE integration_id = $1 AND state = 'pending'`,
      [r.id],
    );
    const [inbound] =
      r.kind === 'webhook'
        ? await this.ds.query(`SELECT count(*)::int AS waiting FROM pm_inbox WHERE integration_id = $1 AND seq > $2`, [r.id, Number(r.cursor?.seq ?? 0)])
        : [{ waiting: r.inboundWaiting }];
    let workflow: { id: string; status: string } = { id: r.workflowId, status: 'UNKNOWN' };
    try {
      const d = await this.temporal.workflow.getHandle(r.workflowId).describe();
      workflow = { id: r.workflowId, status: d.status.name };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) workflow = { id: r.workflowId, status: 'NOT_FOUND' };
      else this.logger.warn(`describe ${r.workflowId}: ${String(err)}`);
    }
    const lastError = r.lastError ?? outbound.error ?? null;
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      active: r.active,
      redmine: r.kind === 'redmine' ? { baseUrl: r.baseUrl, project: r.project, apiKey: { configured: true } } : null,
      webhook:
        r.kind === 'webhook'
          ? { inboundUrl: `${this.config.publicUrl}/integrations/${r.id}/webhook`, progressUrl: r.progressUrl, toleranceSeconds: r.toleranceMs / 1000, secret: { configured: true } }
          : null,
      pollIntervalSeconds: r.pollIntervalMs / 1000,
      workflow,
      cursor: r.cursor,
      lastPollAt: this.t(r.lastPollAt),
      lastSuccessAt: this.t(r.lastSuccessAt),
      lastError: lastError ? { message: lastError, at: this.t(r.lastErrorAt) } : null,
      backlog: {
        inbound: { more: r.inboundMore, waiting: inbound.waiting },
        outbound: { pending: outbound.pending, oldestPendingSince: this.t(outbound.oldest) },
      },
    };
  }

  /** The integration with its linked items, each with its sync state, and the conflicts the rule settled (S15). */
  async get(id: string) {
    const r = await this.row(id);
    const items = await this.ds.query(
      `SELECT l.external_id, l.external_url, l.record_kind, l.record_id, l.record_number, l.opened, l.platform_status, l.last_error,
              COALESCE(i.state, m.state) AS state, COALESCE(i.projected_seq, m.projected_seq, 0) > l.queued_seq AS unqueued,
              (SELECT count(*)::int FROM pm_outbox o WHERE o.link_id = l.id AND o.state = 'pending') AS pending,
              (SELECT count(*)::int FROM pm_outbox o WHERE o.link_id = l.id AND o.state = 'pending' AND o.attempts > 0) AS failing,
              (SELECT max(delivered_at) FROM pm_outbox o WHERE o.link_id = l.id) AS last_delivered_at,
              (SELECT count(*)::int FROM pm_conflicts c WHERE c.link_id = l.id) AS conflicts
         FROM pm_links l LEFT JOIN incidents i ON i.id = l.record_id LEFT JOIN modifications m ON m.id = l.record_id
        WHERE l.integration_id = $1 ORDER BY l.created_at DESC LIMIT 200`,
      [r.id],
    );
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM pm_links WHERE integration_id = $1`, [r.id]);
    const conflicts = await this.ds.query(
      `SELECT l.external_id, l.record_number, c.at, c.author, c.platform_status, c.wardline_state, c.reason, c.command, c.restored_status
         FROM pm_conflicts c JOIN pm_links l ON l.id = c.link_id WHERE c.integration_id = $1 ORDER BY c.id DESC LIMIT 100`,
      [r.id],
    );
    return {
      ...(await this.summary(r)),
      mapping: r.mapping,
      itemsTotal: total,
      items: items.map((i: Record<string, any>) => ({
        externalId: i.external_id,
        externalUrl: i.external_url,
        record: { kind: i.record_kind, id: i.record_id, number: i.record_number, state: i.state ?? null },
        platformStatus: i.platform_status,
        syncState: !i.opened ? 'opening' : i.failing > 0 ? 'failing' : i.pending > 0 || i.unqueued ? 'pending' : 'synced',
        pendingDeliveries: i.pending,
        lastDeliveredAt: this.t(i.last_delivered_at),
        conflicts: i.conflicts,
        lastError: i.last_error,
      })),
      conflicts: conflicts.map((c: Record<string, any>) => ({
        externalId: c.external_id,
        recordNumber: c.record_number,
        at: this.t(c.at),
        author: c.author,
        platformStatus: c.platform_status,
        wardlineState: c.wardline_state,
        reason: c.reason,
        command: c.command,
        restoredStatus: c.restored_status,
        rule: "以 Wardline 流程状态为准 / Wardline's process is the authority for its own states",
      })),
    };
  }

  /** Polls now; a workflow that is not running (stopped by hand) starts again from the stored cursor. */
  async pollNow(id: string) {
    const r = await this.row(id);
    await this.temporal.workflow.signalWithStart(PM_INTEGRATION_WORKFLOW_TYPE, {
      workflowId: r.workflowId,
      taskQueue: this.config.taskQueue,
      args: [integrationInput(this.config, r)],
      signal: pmPollNowSignal,
      signalArgs: [],
    });
    return { accepted: true };
  }

  /**
   * An event pushed by a webhook platform: signature over the raw body first, then the tolerance of its `sentAt`,
   * then its shape, then its id (a replay is refused); stored in the inbox and the workflow told to poll.
   */
  async receive(id: string, raw: Buffer | undefined, signature: string | undefined) {
    const r = await this.row(id);
    if (r.kind !== 'webhook') throw notFound('NOT_FOUND', `集成 ${id} 不接收推送`, `integration ${id} takes no pushed events`, { field: 'id' });
    if (!raw || raw.length === 0) throw invalidFields([{ field: 'body', zh: '请求体为空（Content-Type 须为 application/json）', en: 'the body is empty (send Content-Type: application/json)' }]);
    const check = checkInbound(raw, signature, await this.secrets.read(r.secretId), this.clock.now(), r.toleranceMs);
    if (!check.ok) {
      if (check.reason === 'malformed') throw invalidFields([{ field: 'sentAt', zh: '事件时间须为带时区的 ISO-8601 时间', en: check.detail }], 'WEBHOOK_MALFORMED');
      const zh = { missing_signature: '缺少签名 X-Wardline-Signature', bad_signature: '签名不正确', stale: '事件时间超出容差，可能是重放' }[check.reason];
      throw unauthorized(`WEBHOOK_${check.reason.toUpperCase()}`, zh, check.detail);
    }
    const event = plainToInstance(PmWebhookEventDto, JSON.parse(raw.toString('utf8')));
    const errors = await validate(event, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) {
      const flat = (es: typeof errors, parent = ''): { field: string; zh: string; en: string }[] =>
        es.flatMap((e) => {
          const field = parent ? `${parent}.${e.property}` : e.property;
          const own = Object.values(e.constraints ?? {}).map((m) => ({ field, zh: `${field} 不合法：${m}`, en: m }));
          return [...own, ...flat(e.children ?? [], field)];
        });
      throw invalidFields(flat(errors));
    }
    const stored = await storeInboxEvent(this.ds, r.id, event.eventId, event.item.id, check.sentAt, JSON.parse(raw.toString('utf8')));
    if (!stored) throw conflict('WEBHOOK_REPLAYED', `事件 ${event.eventId} 已接收过，拒绝重放`, `event ${event.eventId} was received before; replay refused`, { field: 'eventId' });
    await this.temporal.workflow.getHandle(r.workflowId).signal(pmPollNowSignal).catch((err: unknown) => this.logger.warn(`poll-now signal: ${String(err)}`));
    return { accepted: true, seq: stored.seq };
  }
}
