import { Controller, Get, Injectable, NotFoundException, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BusinessSystemEntity } from '../../persistence/entities';
import { Allow } from '../auth/decorators';
import { SIGNED_IN } from '../auth/roles';
import { isUuid } from '../common/refs';

export function mapSystem(s: BusinessSystemEntity) {
  return { id: s.id, code: s.code, seq: s.seq, displayName: s.displayName, sourceName: s.sourceName, entryKind: s.entryKind, vendorName: s.vendorName, active: s.active };
}


@Injectable()
export class SystemsService {
  constructor(@InjectRepository(BusinessSystemEntity) private readonly systems: Repository<BusinessSystemEntity>) {}

  list() {
    return this.systems.find({ order: { seq: 'ASC' } });
  }

  /** By id or by code (`SYS-11`), or null. */
  find(ref: string): Promise<BusinessSystemEntity | null> {
    return isUuid(ref) ? this.systems.findOneBy({ id: ref }) : this.systems.findOneBy({ code: ref.toUpperCase() });
  }
}

@ApiTags('systems')
@Controller('systems')
export class SystemsController {
  constructor(private readonly service: SystemsService) {}

  @Get()
  @Allow(...SIGNED_IN)
  async list() {
    return (await this.service.list()).map(mapSystem);
  }

  @Get(':ref')
  @Allow(...SIGNED_IN)
  async get(@Param('ref') ref: string) {
    const system = await this.service.find(ref);
    if (!system) throw new NotFoundException({ code: 'NOT_FOUND', message: `no business system ${ref}`, field: 'ref' });
    return mapSystem(system);
  }
}
