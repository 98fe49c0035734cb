import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { RevisionDto, CreateChangeDto, ReviewDto, ImplementDto, VerifyDto, ListChangesQuery } from './changes.dto';
import { ChangesService } from './changes.service';
import { Idempotent } from '../common/idempotency';

const SUBMITTERS = ['engineer', 'project_manager', 'it_manager', 'dispatcher'] as const;

@ApiTags('changes')
@Controller('changes')
export class ChangesController {
  constructor(private readonly service: ChangesService) {}

  @Post()
  @Idempotent()
  @Allow(...SUBMITTERS)
  create(@Auth() auth: Principal, @Body() dto: CreateChangeDto) {
    return this.service.create(auth, dto);
  }

  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListChangesQuery) {
    return this.service.list(q);
  }

  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  /** S4: the hospital's reviewers decide. */
  @Post(':id/review')
  @HttpCode(200)
  @Allow('reviewer', 'it_manager')
  review(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReviewDto) {
    return this.service.review(auth, id, dto);
  }

  @Post(':id/revisions')
  @Idempotent()
  @HttpCode(200)
  @Allow(...SUBMITTERS)
  revise(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RevisionDto) {
    return this.service.revise(auth, id, dto);
  }

  @Post(':id/implement')
  @HttpCode(200)
  @Allow('engineer', 'project_manager')
  implement(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ImplementDto) {
    return this.service.implement(auth, id, dto);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Allow('engineer', 'project_manager', 'it_manager')
  verify(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: VerifyDto) {
    return this.service.verify(auth, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Allow('project_manager', 'it_manager')
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.close(auth, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Allow(...SUBMITTERS)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.cancel(auth, id, dto);
  }
}
