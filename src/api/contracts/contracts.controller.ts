import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreateContractDto, MilestoneParams, RecordPaymentDto, UpdateContractDto } from './contracts.dto';
import { CONTRACT_LIST, CONTRACT_VIEW } from './contracts.responses';
import { ContractsService } from './contracts.service';

@ApiTags('contracts')
@Controller('contracts')
export class ContractsController {
  constructor(private readonly service: ContractsService) {}

  @ApiOp({ summary: '登记服务合同 / Record the service contract (S18)', ok: CONTRACT_VIEW, errors: [409, 422] })
  @Post()
  @Idempotent()
  @Allow('it_manager')
  create(@Auth() auth: Principal, @Body() dto: CreateContractDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '服务合同列表 / List service contracts', ok: CONTRACT_LIST })
  @Get()
  @Allow(...STAFF)
  list(@Auth() auth: Principal) {
    return this.service.list(auth);
  }

  @ApiOp({ summary: '服务合同（current 为当前有效合同），含剩余月数与验收尚缺事项 / A contract (`current`: the one in force), months left and what acceptance lacks', ok: CONTRACT_VIEW, errors: [404] })
  @Get(':ref')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.get(auth, ref);
  }

  @ApiOp({ summary: '修改服务合同 / Update the service contract', ok: CONTRACT_VIEW, errors: [404, 409, 422] })
  @Patch(':ref')
  @Allow('it_manager')
  update(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: UpdateContractDto) {
    return this.service.update(auth, ref, dto);
  }

  @ApiOp({ summary: '登记付款节点已支付（仅限已到期节点） / Record a milestone as paid (only once due)', ok: CONTRACT_VIEW, errors: [404, 409] })
  @Post(':ref/milestones/:code/payment')
  @HttpCode(200)
  @Allow('it_manager')
  pay(@Auth() auth: Principal, @Param() params: MilestoneParams, @Body() dto: RecordPaymentDto) {
    return this.service.pay(auth, params.ref, params.code, dto);
  }
}
