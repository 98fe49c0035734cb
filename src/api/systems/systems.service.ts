import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BusinessSystemEntity } from '../../persistence/entities';
import { isUuid } from '../common/refs';

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
