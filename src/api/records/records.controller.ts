import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RECORD_CORRECTORS, RECORD_SIGNERS } from '../../domain/records/record';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { nullable, obj } from '../common/schemas';
import { ConfirmRecordDto, CorrectRecordDto, DisputeRecordDto, ListRecordsQuery } from './records.dto';
import { DISPUTE_RESULT, RECORD_DETAIL, RECORD_PAGE, VERIFY_RESULT } from './records.responses';
import { RecordsService } from './records.service';

@ApiTags('records')
@Controller('records')
export class RecordsController {
  constructor(private readonly service: RecordsService) {}

  @ApiOp({ summary: '维护记录查询 / Query maintenance records (S14)', ok: RECORD_PAGE, errors: [422] })
  @Get()
  @Allow(...STAFF)
  list(@Auth() auth: Principal, @Query() q: ListRecordsQuery) {
    return this.service.list(auth, q);
  }

  @ApiOp({ summary: '校验台账哈希链 / Verify the ledger hash chain', ok: VERIFY_RESULT })
  @Get('verify')
  @Allow(...STAFF)
  verify() {
    return this.service.verify();
  }

  @ApiOp({ summary: '台账头哈希 / The ledger head hash', ok: nullable(obj({ seq: 'integer', hash: 'string' })) })
  @Get('head')
  @Allow(...STAFF)
  head() {
    return this.service.head();
  }

  @ApiOp({ summary: '维护记录详情（含台账条目与过程时间线） / A record with its ledger entries and timeline', ok: RECORD_DETAIL, errors: [404] })
  @Get(':ref')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.get(auth, ref);
  }

  @ApiOp({ summary: '确认维护记录 / Confirm a record (hospital side or vendor PM)', ok: RECORD_DETAIL, errors: [404, 409] })
  @Post(':ref/confirm')
  @HttpCode(200)
  @Allow(...RECORD_SIGNERS)
  confirm(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: ConfirmRecordDto) {
    return this.service.confirm(auth, ref, dto);
  }

  @ApiOp({ summary: '对维护记录提出异议 / Dispute a record (reopens the work or asks for a correction)', ok: DISPUTE_RESULT, errors: [404, 409] })
  @Post(':ref/dispute')
  @HttpCode(200)
  @Allow(...RECORD_SIGNERS)
  dispute(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: DisputeRecordDto) {
    return this.service.dispute(auth, ref, dto);
  }

  @ApiOp({ summary: '更正维护记录（新增台账条目） / Correct a disputed record (a new ledger entry)', ok: RECORD_DETAIL, errors: [404, 409, 422] })
  @Post(':ref/corrections')
  @Idempotent()
  @Allow(...RECORD_CORRECTORS)
  correct(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: CorrectRecordDto) {
    return this.service.correct(auth, ref, dto);
  }
}
