import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { ApiOp } from '../common/openapi';
import { DowntimeQuery, OutageFlagDto } from './downtime.dto';
import { DOWNTIME_REPORT, OUTAGE_FLAG } from './downtime.responses';
import { DowntimeService } from './downtime.service';

/** S9: who may say an incident is an outage: the hospital's dispatch desk and IT manager. */
export const OUTAGE_FLAGGERS = ['dispatcher', 'it_manager'] as const;

@ApiTags('stats')
@Controller('stats')
export class DowntimeController {
  constructor(private readonly service: DowntimeService) {}

  @ApiOp({ summary: '停机时长与营收影响（按业务系统） / Downtime and revenue at stake per business system (S9)', ok: DOWNTIME_REPORT })
  @Get('downtime')
  @Allow(...STAFF, 'vendor_contact')
  downtime(@Auth() auth: Principal, @Query() q: DowntimeQuery) {
    return this.service.report(auth, q);
  }
}

@ApiTags('incidents')
@Controller('incidents')
export class OutageFlagController {
  constructor(private readonly service: DowntimeService) {}

  @ApiOp({ summary: '工单的停机标记 / Whether an incident is an outage (S9)', ok: OUTAGE_FLAG, errors: [404] })
  @Get(':id/outage')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.flag(id);
  }

  @ApiOp({ summary: '标记或取消停机 / Flag an incident as an outage of its system, or not (S9)', ok: OUTAGE_FLAG, errors: [404, 409] })
  @Put(':id/outage')
  @Allow(...OUTAGE_FLAGGERS)
  set(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: OutageFlagDto) {
    return this.service.setFlag(auth, id, dto);
  }
}
