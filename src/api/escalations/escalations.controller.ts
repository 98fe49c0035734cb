import { Body, Controller, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { EscalateDto, AcknowledgeDto, LinkAcknowledgeDto, ProgressDto } from './escalations.dto';
import { EscalationsService } from './escalations.service';
import { Idempotent } from '../common/idempotency';
import { ParseUuidPipe } from '../common/pipes';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiOp } from '../common/openapi';
import { ACK_PAGE, ESCALATION, ESCALATIONS, MY_ESCALATIONS, ESCALATION_STATE } from './escalations.responses';
import { INCIDENT_VIEW } from '../incidents/incidents.responses';

@ApiTags('escalations')
@Controller()
export class EscalationsController {
  constructor(private readonly service: EscalationsService) {}

  /** S7: an engineer calls the original vendor in. */
  @ApiOp({ summary: '升级原厂技术支援 / Call the original vendor in', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post('incidents/:id/escalations')
  @Idempotent()
  @HttpCode(200)
  @Allow('engineer', 'project_manager', 'dispatcher')
  escalate(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: EscalateDto) {
    return this.service.escalate(auth, id, dto);
  }

  @ApiOp({ summary: '工单的原厂升级记录 / The escalations of an incident', ok: ESCALATIONS, errors: [404] })
  @Get('incidents/:id/escalations')
  @Allow(...STAFF)
  forIncident(@Param('id') id: string) {
    return this.service.forIncident(id);
  }

  /** S7: the escalations that call the signed-in vendor contact's vendor (a vendor contact may not list incidents). */
  @ApiOp({ summary: '我方厂商的原厂升级 / The escalations that call my vendor', ok: MY_ESCALATIONS })
  @Get('me/escalations')
  @Allow('vendor_contact')
  mine(@Auth() auth: Principal) {
    return this.service.mine(auth);
  }

  /** A vendor contact sees its own vendor's escalations only (404 for another vendor's). */
  @ApiOp({ summary: '原厂升级详情 / An escalation', ok: ESCALATION, errors: [404] })
  @Get('escalations/:id')
  @Allow(...STAFF, 'vendor_contact')
  get(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string) {
    return this.service.get(auth, id);
  }

  @ApiOp({ summary: '原厂确认响应 / The vendor acknowledges', ok: ESCALATION_STATE, errors: [404, 409] })
  @Post('escalations/:id/acknowledge')
  @HttpCode(200)
  @Allow('vendor_contact', 'project_manager')
  acknowledge(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: AcknowledgeDto) {
    return this.service.acknowledge(auth, id, dto);
  }

  @ApiOp({ summary: '原厂进展（到场、远程、解决） / Vendor progress: arrived, remote session, resolved', ok: ESCALATION_STATE, errors: [404, 409] })
  @Post('escalations/:id/progress')
  @HttpCode(200)
  @Allow('vendor_contact', 'engineer', 'project_manager')
  progress(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: ProgressDto) {
    return this.service.progress(auth, id, dto);
  }

  /** The page a one-time link opens: it needs no login; the signed token is the credential. */
  @ApiOp({ summary: '一次性确认链接页面 / The one-time acknowledgement page', ok: ACK_PAGE, produces: 'text/html', errors: [404, 410, 429] })
  @Get('vendor-ack/:token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Header('content-type', 'text/html; charset=utf-8')
  page(@Param('token') token: string) {
    return this.service.page(token);
  }

  @ApiOp({ summary: '通过一次性链接确认响应 / Acknowledge through the one-time link', ok: ESCALATION_STATE, errors: [404, 409, 410, 429] })
  @Post('vendor-ack/:token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  acknowledgeByLink(@Param('token') token: string, @Body() dto: LinkAcknowledgeDto) {
    return this.service.acknowledgeByLink(token, dto);
  }
}
