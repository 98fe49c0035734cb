import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { CreateShiftDto, OnDutyQuery } from './roster.dto';
import { RosterService } from './roster.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { MEMBERS, ON_DUTY, SHIFT } from '../misc.responses';

@ApiTags('roster')
@Controller('roster')
export class RosterController {
  constructor(private readonly service: RosterService) {}

  @ApiOp({ summary: '驻场团队成员 / The onsite team', ok: MEMBERS })
  @Get()
  @Allow(...STAFF)
  members() {
    return this.service.members();
  }

  @ApiOp({ summary: '排班：添加值班班次 / Add a duty shift', ok: SHIFT, errors: [422] })
  @Post('shifts')
  @Idempotent()
  @Allow('project_manager')
  addShift(@Body() dto: CreateShiftDto) {
    return this.service.addShift(dto);
  }

  @ApiOp({ summary: '当前值班工程师 / Who is on duty', ok: ON_DUTY })
  @Get('on-duty')
  @Allow(...STAFF)
  async onDuty(@Query() q: OnDutyQuery) {
    return { onDuty: await this.service.onDuty(q.at ? Date.parse(q.at) : undefined) };
  }
}
