import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { CreateTokenDto, CreateUserDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @Get('users')
  @Allow('project_manager', 'it_manager', 'dispatcher')
  list() {
    return this.service.list();
  }

  @Get('me')
  @Allow('dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'vendor_contact', 'integration')
  me(@Auth() auth: Principal) {
    return auth;
  }

  @Post('users')
  @Allow()
  create(@Auth() auth: Principal, @Body() dto: CreateUserDto) {
    return this.service.create(auth, dto);
  }

  @Post('users/:id/tokens')
  @Allow()
  createToken(@Auth() auth: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateTokenDto) {
    return this.service.createToken(auth, id, dto);
  }

  @Get('users/:id/tokens')
  @Allow()
  listTokens(@Param('id', ParseUUIDPipe) id: string) {
    return this.service.listTokens(id);
  }

  @Delete('tokens/:id')
  @Allow()
  revoke(@Auth() auth: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.service.revoke(auth, id);
  }
}
