import { Body, Controller, Get, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreatePackDto, PackDecisionDto } from './acceptance.dto';
import { PACK_LIST, PACK_VIEW } from './acceptance.responses';
import { AcceptanceService } from './acceptance.service';

const ZIP = { type: 'string', format: 'binary' } as const;

@ApiTags('acceptance')
@Controller('acceptance-packs')
export class AcceptanceController {
  constructor(private readonly service: AcceptanceService) {}

  @ApiOp({ summary: '生成验收资料包（服务期或单项改造） / Build an acceptance pack (a period or one modification, S17)', ok: PACK_VIEW, errors: [409, 422] })
  @Post()
  @Idempotent()
  @Allow('it_manager', 'project_manager', 'quality_manager')
  create(@Auth() auth: Principal, @Body() dto: CreatePackDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '验收资料包列表 / List acceptance packs', ok: PACK_LIST })
  @Get()
  @Allow(...STAFF)
  list(@Auth() auth: Principal) {
    return this.service.list(auth);
  }

  @ApiOp({ summary: '验收资料包详情 / An acceptance pack', ok: PACK_VIEW, errors: [404] })
  @Get(':ref')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.get(auth, ref);
  }

  @ApiOp({ summary: '下载验收资料包（zip：PDF 摘要 + XLSX 明细） / Download the pack (zip: PDF summary and XLSX detail)', ok: ZIP, produces: 'application/zip', errors: [404, 409] })
  @Get(':ref/zip')
  @Allow(...STAFF)
  async zip(@Param('ref') ref: string) {
    const f = await this.service.zip(ref);
    return new StreamableFile(f.data, { type: 'application/zip', disposition: `attachment; filename="${f.name}"` });
  }

  @ApiOp({ summary: '验收通过 / Accept the pack (IT manager)', ok: PACK_VIEW, errors: [404, 409] })
  @Post(':ref/accept')
  @HttpCode(200)
  @Allow('it_manager')
  accept(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: PackDecisionDto) {
    return this.service.decide(auth, ref, 'accept', dto);
  }

  @ApiOp({ summary: '退回验收资料包 / Reject the pack with a reason (IT manager)', ok: PACK_VIEW, errors: [404, 409] })
  @Post(':ref/reject')
  @HttpCode(200)
  @Allow('it_manager')
  reject(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: PackDecisionDto) {
    return this.service.decide(auth, ref, 'reject', dto);
  }
}
