import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';
import { VendorsService } from './vendors.service';
import { ParseUuidPipe } from '../common/pipes';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CONTACT, DEACTIVATED, VENDOR, VENDORS } from './vendors.responses';

@ApiTags('vendors')
@Controller('vendors')
export class VendorsController {
  constructor(private readonly service: VendorsService) {}

  @ApiOp({ summary: '厂商列表（含联系人与所负责系统） / Vendors with their contacts and systems', ok: VENDORS })
  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.list();
  }

  @ApiOp({ summary: '厂商详情 / A vendor', ok: VENDOR, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id', ParseUuidPipe) id: string) {
    return this.service.get(id);
  }

  @ApiOp({ summary: '登记厂商 / Register a vendor', ok: VENDOR, errors: [409, 422] })
  @Post()
  @Idempotent()
  @Allow('it_manager', 'project_manager')
  create(@Auth() auth: Principal, @Body() dto: CreateVendorDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '设置厂商负责的系统 / Set the systems a vendor made', ok: VENDOR, errors: [404, 422] })
  @Put(':id/systems')
  @Allow('it_manager', 'project_manager')
  /** The systems this vendor made (S7): recorded on their CMDB items, the one place "made by" is kept. */
  setSystems(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: SetVendorSystemsDto) {
    return this.service.setSystems(auth, id, dto);
  }

  @ApiOp({ summary: '添加厂商联系人（按升级级别） / Add a vendor contact (by escalation level)', ok: CONTACT, errors: [404, 422] })
  @Post(':id/contacts')
  @Idempotent()
  @Allow('it_manager', 'project_manager')
  addContact(@Param('id', ParseUuidPipe) id: string, @Body() dto: CreateContactDto) {
    return this.service.addContact(id, dto);
  }

  @ApiOp({ summary: '停用厂商联系人 / Deactivate a vendor contact', ok: DEACTIVATED, errors: [404] })
  @Delete(':id/contacts/:contactId')
  @Allow('it_manager', 'project_manager')
  deactivate(@Param('id', ParseUuidPipe) id: string, @Param('contactId', ParseUuidPipe) contactId: string) {
    return this.service.deactivateContact(id, contactId);
  }
}
