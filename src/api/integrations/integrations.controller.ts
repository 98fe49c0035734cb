import { Body, Controller, Get, Headers, HttpCode, Param, Post, RawBodyRequest, Req, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { ApiBody, ApiExtraModels, ApiHeader, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Allow, Public } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { ParseUuidPipe } from '../common/pipes';
import { AcceptedDto, CreateIntegrationDto, IntegrationDetailDto, IntegrationSummaryDto, PmProgressCallDto, PmWebhookEventDto } from './integrations.dto';
import { IntegrationsService } from './integrations.service';

const READERS = ['it_manager', 'project_manager', 'dispatcher'] as const;

/** S15: the hospital's project-management platforms, both ways. */
@ApiTags('integrations')
@ApiExtraModels(PmProgressCallDto)
@Controller('integrations')
export class IntegrationsController {
  constructor(private readonly service: IntegrationsService) {}

  @ApiOp({
    summary: '接入项目管理平台（Redmine 或推送式平台） / Connect a project-management platform (Redmine, or one that pushes signed webhooks)',
    description:
      'The mapping is checked against the real platform first: a tracker, status, priority or custom field it does not have is a 422 INTEGRATION_MAPPING_INVALID naming the field; an unreachable platform, a refused key or an unknown project is a 422 INTEGRATION_PLATFORM_REFUSED. The API key or HMAC secret is sealed in the vault and never returned. A name already taken is a 409.',
    ok: IntegrationDetailDto,
    errors: [409, 422],
  })
  @Post()
  @Idempotent()
  @Allow('it_manager')
  create(@Auth() auth: Principal, @Body() dto: CreateIntegrationDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '项目管理平台集成列表 / Integrations with their cursor, backlog and last error', ok: [IntegrationSummaryDto] })
  @Get()
  @Allow(...READERS)
  list() {
    return this.service.list();
  }

  @ApiOp({
    summary: '集成详情：游标、积压、最近错误、每个关联事项的同步状态与冲突 / Cursor, backlog, last error, each linked item’s sync state, and conflicts',
    description: 'syncState per item: opening (the record is being opened), pending (progress queued), failing (the platform is down or refused; retried, never dropped), synced.',
    ok: IntegrationDetailDto,
    errors: [404],
  })
  @Get(':id')
  @Allow(...READERS)
  get(@Param('id', ParseUuidPipe) id: string) {
    return this.service.get(id);
  }

  @ApiOp({ summary: '立即轮询 / Poll now (restarts a stopped integration workflow from the stored cursor)', ok: AcceptedDto, errors: [404] })
  @Post(':id/poll')
  @HttpCode(202)
  @Allow('it_manager', 'project_manager')
  poll(@Param('id', ParseUuidPipe) id: string) {
    return this.service.pollNow(id);
  }

  @ApiOp({
    summary: '推送式平台的签名事件入口 / Signed events from a platform that pushes',
    description: [
      'No bearer token: the signature is the credential. `X-Wardline-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, body sent as `application/json`;',
      '`sentAt` (inside the signed body) must be within the integration’s tolerance (default 300 s) of Wardline’s clock (401 WEBHOOK_STALE otherwise);',
      'an `eventId` seen before is refused (409 WEBHOOK_REPLAYED) — a sender that gets 409 for its own retry may treat it as delivered.',
      `Progress goes back the same way: Wardline POSTs a signed [PmProgressCall](${getSchemaPath(PmProgressCallDto)}) to the integration’s progressUrl with`,
      'an `Idempotency-Key` header equal to its eventId; answer 2xx, or 409 for a key you already have; 5xx, 408, 429 and no answer are retried.',
    ].join(' '),
    ok: AcceptedDto,
    errors: [401, 404, 409, 429],
  })
  @Post(':id/webhook')
  @HttpCode(202)
  @Public()
  // Public, so limited per client address like the other public routes; a platform catching up sends bursts, so 600 a minute.
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 600, ttl: 60_000 } })
  @ApiHeader({ name: 'X-Wardline-Signature', required: true, description: 'sha256=<hex HMAC-SHA256 of the raw body under the shared secret>' })
  @ApiBody({ type: PmWebhookEventDto })
  receive(@Param('id', ParseUuidPipe) id: string, @Req() req: RawBodyRequest<{ headers: unknown }>, @Headers('x-wardline-signature') signature: string | undefined) {
    return this.service.receive(id, req.rawBody, signature);
  }
}
