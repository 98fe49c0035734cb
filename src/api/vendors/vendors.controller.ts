import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';
import { VendorsService } from './vendors.service';
import { ParseUuidPipe } from '../common/pipes';
import { Idempotent } from '../common/idempotency';

@ApiTags('vendors')
@Controller('vendors')
export class VendorsController {
  constructor(private readonly service: VendorsService) {}

  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.list();
  }

  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id', ParseUuidPipe) id: string) {
    return this.service.get(id);
  }

  @Post()
  @Idempotent()
  @Allow('it_manager', 'project_manager')
  create(@Body() dto: CreateVendorDto) {
    return this.service.create(dto);
  }

  @Put(':id/systems')
  @Allow('it_manager', 'project_manager')
  setSystems(@Param('id', ParseUuidPipe) id: string, @Body() dto: SetVendorSystemsDto) {
    return this.service.setSystems(id, dto);
  }

  @Post(':id/contacts')
  @Idempotent()
  @Allow('it_manager', 'project_manager')
  addContact(@Param('id', ParseUuidPipe) id: string, @Body() dto: CreateContactDto) {
    return this.service.addContact(id, dto);
  }

  @Delete(':id/contacts/:contactId')
  @Allow('it_manager', 'project_manager')
  deactivate(@Param('id', ParseUuidPipe) id: string, @Param('contactId', ParseUuidPipe) contactId: string) {
    return this.service.deactivateContact(id, contactId);
  }
}
