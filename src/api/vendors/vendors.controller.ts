import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';
import { VendorsService } from './vendors.service';

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
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.service.get(id);
  }

  @Post()
  @Allow('it_manager', 'project_manager')
  create(@Body() dto: CreateVendorDto) {
    return this.service.create(dto);
  }

  @Put(':id/systems')
  @Allow('it_manager', 'project_manager')
  setSystems(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SetVendorSystemsDto) {
    return this.service.setSystems(id, dto);
  }

  @Post(':id/contacts')
  @Allow('it_manager', 'project_manager')
  addContact(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateContactDto) {
    return this.service.addContact(id, dto);
  }

  @Delete(':id/contacts/:contactId')
  @Allow('it_manager', 'project_manager')
  deactivate(@Param('id', ParseUUIDPipe) id: string, @Param('contactId', ParseUUIDPipe) contactId: string) {
    return this.service.deactivateContact(id, contactId);
  }
}
