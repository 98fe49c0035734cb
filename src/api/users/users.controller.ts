import { Body, Controller, Delete, Get, Param, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { CreateTokenDto, CreateUserDto } from './users.dto';
import { UsersService } from './users.service';
import { Idempotent } from '../common/idempotency';
import { ParseUuidPipe } from '../common/pipes';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';

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
  @Idempotent()
  @Allow()
  create(@Auth() auth: Principal, @Body() dto: CreateUserDto) {
    return this.service.create(auth, dto);
  }

  @Post('users/:id/tokens')
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @Idempotent()
  @Allow()
  createToken(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: CreateTokenDto) {
    return this.service.createToken(auth, id, dto);
  }

  @Get('users/:id/tokens')
  @Allow()
  listTokens(@Param('id', ParseUuidPipe) id: string) {
    return this.service.listTokens(id);
  }

  @Delete('tokens/:id')
  @Allow()
  revoke(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string) {
    return this.service.revoke(auth, id);
  }
}
