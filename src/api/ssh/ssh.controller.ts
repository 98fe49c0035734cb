import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { AcceptHostKeyDto, CreateCredentialDto, ScanHostKeyDto } from './ssh.dto';
import { SshService } from './ssh.service';
import { invalid } from '../cmdb/cmdb.service';

/** Credentials and host keys are the IT manager's (and admin's): they decide what Wardline may log in to. */
@ApiTags('ssh')
@Controller('ssh')
export class SshController {
  constructor(private readonly service: SshService) {}

  @Post('credentials')
  @Allow('it_manager')
  @ApiOperation({ summary: '登记 SSH 凭据（加密保存，不回显） / Register an SSH credential (sealed, never returned)' })
  createCredential(@Auth() auth: Principal, @Body() dto: CreateCredentialDto) {
    return this.service.createCredential(auth, dto);
  }

  @Get('credentials')
  @Allow(...STAFF)
  @ApiOperation({ summary: 'SSH 凭据列表（不含密钥） / SSH credentials (no secrets)' })
  listCredentials() {
    return this.service.listCredentials();
  }

  @Post('host-keys/scan')
  @HttpCode(200)
  @Allow('it_manager', 'engineer')
  @ApiOperation({ summary: '读取主机当前的主机密钥以便核对 / Read the key a host presents, to compare before accepting' })
  scan(@Body() dto: ScanHostKeyDto) {
    return this.service.scan(dto);
  }

  @Post('host-keys')
  @Allow('it_manager')
  @ApiOperation({ summary: '接受或导入主机密钥（固定） / Accept or import (pin) a host key' })
  accept(@Auth() auth: Principal, @Body() dto: AcceptHostKeyDto) {
    return this.service.accept(auth, dto);
  }

  @Get('host-keys')
  @Allow(...STAFF)
  @ApiQuery({ name: 'state', required: false, enum: ['accepted', 'revoked'] })
  @ApiOperation({ summary: '已固定的主机密钥 / Pinned host keys' })
  listKeys(@Query('state') state?: string) {
    if (state !== undefined && state !== 'accepted' && state !== 'revoked') throw invalid([{ field: 'state', reason: 'state must be accepted or revoked' }]);
    return this.service.listKeys(state);
  }

  @Delete('host-keys/:id')
  @Allow('it_manager')
  @ApiOperation({ summary: '撤销固定的主机密钥 / Revoke a pinned host key' })
  revoke(@Auth() auth: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.service.revoke(auth, id);
  }
}
