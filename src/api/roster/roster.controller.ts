import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { CreateShiftDto, OnDutyQuery } from './roster.dto';
import { RosterService } from './roster.service';
import { Idempotent } from '../common/idempotency';

@ApiTags('roster')
@Controller('roster')
export class RosterController {
  constructor(private readonly service: RosterService) {}

  @Get()
  @Allow(...STAFF)
  members() {
    return this.service.members();
  }

  @Post('shifts')
  @Idempotent()
  @Allow('project_manager')
  addShift(@Body() dto: CreateShiftDto) {
    return this.service.addShift(dto);
  }

  @Get('on-duty')
  @Allow(...STAFF)
  async onDuty(@Query() q: OnDutyQuery) {
    return { onDuty: await this.service.onDuty(q.at ? Date.parse(q.at) : undefined) };
  }
}
