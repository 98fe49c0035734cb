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

@ApiTags('escalations')
@Controller()
export class EscalationsController {
  constructor(private readonly service: EscalationsService) {}

  /** S7: an engineer calls the original vendor in. */
  @Post('incidents/:id/escalations')
  @Idempotent()
  @HttpCode(200)
  @Allow('engineer', 'project_manager', 'dispatcher')
  escalate(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: EscalateDto) {
    return this.service.escalate(auth, id, dto);
  }

  @Get('incidents/:id/escalations')
  @Allow(...STAFF)
  forIncident(@Param('id') id: string) {
    return this.service.forIncident(id);
  }

  @Get('escalations/:id')
  @Allow(...STAFF, 'vendor_contact')
  get(@Param('id', ParseUuidPipe) id: string) {
    return this.service.get(id);
  }

  @Post('escalations/:id/acknowledge')
  @HttpCode(200)
  @Allow('vendor_contact', 'project_manager')
  acknowledge(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: AcknowledgeDto) {
    return this.service.acknowledge(auth, id, dto);
  }

  @Post('escalations/:id/progress')
  @HttpCode(200)
  @Allow('vendor_contact', 'engineer', 'project_manager')
  progress(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: ProgressDto) {
    return this.service.progress(auth, id, dto);
  }

  /** The page a one-time link opens: it needs no login; the signed token is the credential. */
  @Get('vendor-ack/:token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Header('content-type', 'text/html; charset=utf-8')
  page(@Param('token') token: string) {
    return this.service.page(token);
  }

  @Post('vendor-ack/:token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  acknowledgeByLink(@Param('token') token: string, @Body() dto: LinkAcknowledgeDto) {
    return this.service.acknowledgeByLink(token, dto);
  }
}
