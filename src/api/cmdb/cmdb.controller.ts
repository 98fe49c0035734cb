import { Body, Controller, Delete, Get, Header, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { Allow, Public } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { Role, STAFF } from '../auth/roles';
import { CmdbImportService } from './cmdb-import';
import { XLSX_CONTENT_TYPE } from './cmdb-xlsx';
import { CreateItemDto, CreateRelationDto, ImportDto, UpdateItemDto } from './cmdb.dto';
import { CmdbService, invalid } from './cmdb.service';
import { topologyPageHtml } from './topology-page';
import { Idempotent } from '../common/idempotency';
import { ParseUuidPipe } from '../common/pipes';
import { ApiOp } from '../common/openapi';
import { CSV, DELETED, DEPENDENCIES, HISTORY, HTML, IMPACT, IMPORT_REPORT, ITEM, ITEM_DETAIL, ITEM_PAGE, RELATION, SCRIPT, TOPOLOGY, TYPES, XLSX } from './cmdb.responses';

/** Who may change the CMDB; engineers may add and edit but not delete. */
const WRITERS: Role[] = ['it_manager', 'project_manager', 'engineer'];
const DELETERS: Role[] = ['it_manager', 'project_manager'];

let cytoscapeJs: string | null = null;
const cytoscapeScript = () => (cytoscapeJs ??= readFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8'));

@ApiTags('cmdb')
@Controller('cmdb')
export class CmdbController {
  constructor(
    private readonly service: CmdbService,
    private readonly importer: CmdbImportService,
  ) {}

  @ApiOp({ summary: '配置项与关系类型 / Item and relation types', ok: TYPES })
  @Get('types')
  @Allow(...STAFF)
  types() {
    return this.service.types();
  }

  @ApiOp({ summary: '配置项列表（筛选、分页） / List configuration items (filtered, paged)', ok: ITEM_PAGE })
  @Get('items')
  @Allow(...STAFF)
  @ApiQuery({ name: 'type', required: false }) @ApiQuery({ name: 'status', required: false, description: 'comma-separated lifecycle statuses' })
  @ApiQuery({ name: 'q', required: false, description: 'text in name or display name' }) @ApiQuery({ name: 'attr.os', required: false, description: 'attr.<name>=<value>: attribute equality' })
  list(@Query() query: Record<string, unknown>) {
    return this.service.list(query);
  }

  @ApiOp({ summary: '导出配置项 CSV / Export items as CSV', ok: CSV, produces: 'text/csv' })
  @Get('items.csv')
  @Allow(...STAFF)
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="cmdb-items.csv"')
  exportCsv(@Query('type') type?: string) {
    return this.importer.exportCsv(type);
  }

  @ApiOp({ summary: '导出配置项 Excel / Export items as .xlsx', ok: XLSX, produces: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
  @Get('items.xlsx')
  @Allow(...STAFF)
  async exportXlsx(@Query('type') type?: string) {
    return new StreamableFile(await this.importer.exportXlsx(type), { type: XLSX_CONTENT_TYPE, disposition: 'attachment; filename="cmdb-items.xlsx"' });
  }

  @ApiOp({ summary: '导入配置项（CSV 或 Excel，可试运行） / Import items from CSV or .xlsx (dry run by default)', ok: IMPORT_REPORT, errors: [413] })
  @Post('import')
  @Idempotent()
  @Allow(...WRITERS)
  @ApiQuery({ name: 'dryRun', required: false, description: 'true (default): only report, row by row; false: apply the good rows. Body: {csv} or {xlsx: base64}' })
  import(@Auth() auth: Principal, @Body() dto: ImportDto, @Query('dryRun') dryRun?: string) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw invalid([{ field: 'dryRun', reason: 'dryRun must be true or false', reasonZh: 'dryRun 必须是 true 或 false' }]);
    return this.importer.import(auth, dto, dryRun !== 'false');
  }

  @ApiOp({ summary: '新建配置项 / Create a configuration item', ok: ITEM, errors: [409] })
  @Post('items')
  @Idempotent()
  @Allow(...WRITERS)
  create(@Auth() auth: Principal, @Body() dto: CreateItemDto) {
    return this.service.createItem(auth, dto);
  }

  @ApiOp({ summary: '配置项详情与关系 / An item and its relations', ok: ITEM_DETAIL, errors: [404] })
  @Get('items/:ref')
  @Allow(...STAFF)
  get(@Param('ref') ref: string) {
    return this.service.get(ref);
  }

  @ApiOp({ summary: '修改配置项 / Update an item', ok: ITEM, errors: [404, 409] })
  @Patch('items/:ref')
  @Allow(...WRITERS)
  update(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: UpdateItemDto) {
    return this.service.updateItem(auth, ref, dto);
  }

  @ApiOp({ summary: '删除配置项 / Delete an item', ok: DELETED, errors: [404, 409] })
  @Delete('items/:ref')
  @Allow(...DELETERS)
  remove(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.deleteItem(auth, ref);
  }

  @ApiOp({ summary: '配置项变更历史 / The history of an item', ok: HISTORY, errors: [404] })
  @Get('items/:ref/history')
  @Allow(...STAFF)
  history(@Param('ref') ref: string) {
    return this.service.itemHistory(ref);
  }

  @ApiOp({ summary: '故障影响分析（受影响业务系统与营收） / Impact: affected business systems and revenue at stake', ok: IMPACT, errors: [404] })
  @Get('items/:ref/impact')
  @Allow(...STAFF)
  impact(@Param('ref') ref: string, @Query('depth') depth?: string) {
    return this.service.impact(ref, depth);
  }

  @ApiOp({ summary: '依赖分析 / What an item depends on', ok: DEPENDENCIES, errors: [404] })
  @Get('items/:ref/dependencies')
  @Allow(...STAFF)
  dependencies(@Param('ref') ref: string, @Query('depth') depth?: string) {
    return this.service.dependencies(ref, depth);
  }

  @ApiOp({ summary: '拓扑图数据 / Topology graph data', ok: TOPOLOGY, errors: [404] })
  @Get('items/:ref/topology')
  @Allow(...STAFF)
  topology(@Param('ref') ref: string, @Query('depth') depth?: string) {
    return this.service.topology(ref, depth);
  }

  @ApiOp({ summary: '建立配置项关系 / Relate two items', ok: RELATION, errors: [404, 409, 422] })
  @Post('relations')
  @Idempotent()
  @Allow(...WRITERS)
  relate(@Auth() auth: Principal, @Body() dto: CreateRelationDto) {
    return this.service.createRelation(auth, dto);
  }

  @ApiOp({ summary: '删除配置项关系 / Remove a relation', ok: DELETED, errors: [404] })
  @Delete('relations/:id')
  @Allow(...DELETERS)
  unrelate(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string) {
    return this.service.deleteRelation(auth, id);
  }

  /** The page holds no data and no credential: it fetches the graph with the session cookie (issue 16). */
  @ApiOp({ summary: '拓扑图页面 / The topology page', ok: HTML, produces: 'text/html' })
  @Get('topology')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page() {
    return topologyPageHtml();
  }

  /** cytoscape.js from node_modules, so the page works on a hospital network with no internet. */
  @ApiOp({ summary: '拓扑图脚本（cytoscape.js） / The topology script (cytoscape.js)', ok: SCRIPT, produces: 'application/javascript' })
  @Get('assets/cytoscape.min.js')
  @Public()
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  cytoscape() {
    return cytoscapeScript();
  }
}
