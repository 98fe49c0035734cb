import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { SIGNED_IN } from '../auth/roles';
import { mapSystem } from './systems.dto';
import { SystemsService } from './systems.service';
import { notFoundRef } from '../common/errors';
import { ApiOp } from '../common/openapi';
import { SYSTEM, SYSTEMS } from '../misc.responses';

@ApiTags('systems')
@Controller('systems')
export class SystemsController {
  constructor(private readonly service: SystemsService) {}

  @ApiOp({ summary: '业务系统列表 / Business systems', ok: SYSTEMS })
  @Get()
  @Allow(...SIGNED_IN)
  async list() {
    return (await this.service.list()).map(mapSystem);
  }

  @ApiOp({ summary: '业务系统详情 / A business system', ok: SYSTEM, errors: [404] })
  @Get(':ref')
  @Allow(...SIGNED_IN)
  async get(@Param('ref') ref: string) {
    const system = await this.service.find(ref);
    if (!system) throw notFoundRef('system', ref, 'ref');
    return mapSystem(system);
  }
}
