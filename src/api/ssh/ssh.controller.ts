import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CREDENTIAL_LIST_SCHEMA, CREDENTIAL_SCHEMA, HOST_KEY_LIST_SCHEMA, HOST_KEY_SCHEMA, SCAN_SCHEMA } from '../jobs/jobs.views';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { AcceptHostKeyDto, CreateCredentialDto, ScanHostKeyDto } from './ssh.dto';
import { SshService } from './ssh.service';
import { invalidFields } from '../common/errors';

/** Credentials and host keys are the IT manager's (and admin's): they decide what Wardline may log in to. */
@ApiTags('ssh')
@Controller('ssh')
export class SshController {
  constructor(private readonly service: SshService) {}

  @ApiOp({ summary: '登记 SSH 凭据（加密保存，不回显） / Register an SSH credential (sealed, never returned)', ok: CREDENTIAL_SCHEMA, errors: [409] })
  @Post('credentials')
  @Idempotent()
  @Allow('it_manager')
  createCredential(@Auth() auth: Principal, @Body() dto: CreateCredentialDto) {
    return this.service.createCredential(auth, dto);
  }

  @ApiOp({ summary: 'SSH 凭据列表（不含密钥） / SSH credentials (no secrets)', ok: CREDENTIAL_LIST_SCHEMA })
  @Get('credentials')
  @Allow(...STAFF)
  listCredentials() {
    return this.service.listCredentials();
  }

  @ApiOp({ summary: '读取主机当前的主机密钥以便核对 / Read the key a host presents, to compare before accepting', ok: SCAN_SCHEMA, errors: [404, 422] })
  @Post('host-keys/scan')
  @HttpCode(200)
  @Allow('it_manager', 'engineer')
  scan(@Body() dto: ScanHostKeyDto) {
    return this.service.scan(dto);
  }

  @ApiOp({ summary: '接受或导入主机密钥（固定） / Accept or import (pin) a host key', ok: HOST_KEY_SCHEMA, errors: [404, 409, 422] })
  @Post('host-keys')
  @Idempotent()
  @Allow('it_manager')
  accept(@Auth() auth: Principal, @Body() dto: AcceptHostKeyDto) {
    return this.service.accept(auth, dto);
  }

  @ApiOp({ summary: '已固定的主机密钥 / Pinned host keys', ok: HOST_KEY_LIST_SCHEMA })
  @Get('host-keys')
  @Allow(...STAFF)
  @ApiQuery({ name: 'state', required: false, enum: ['accepted', 'revoked'] })
  listKeys(@Query('state') state?: string) {
    if (state !== undefined && state !== 'accepted' && state !== 'revoked') throw invalidFields([{ field: 'state', zh: 'state 须为 accepted 或 revoked', en: 'state must be accepted or revoked' }]);
    return this.service.listKeys(state);
  }

  @ApiOp({ summary: '撤销固定的主机密钥 / Revoke a pinned host key', ok: HOST_KEY_SCHEMA, errors: [404] })
  @Delete('host-keys/:id')
  @Allow('it_manager')
  revoke(@Auth() auth: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.service.revoke(auth, id);
  }
}
