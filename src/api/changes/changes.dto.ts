import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';
import { CHANGE_KINDS, CHANGE_STATES, ChangeKind, OBJECT_ACTIONS, OBJECT_TYPES, REVIEW_DECISIONS, RISKS, ReviewDecision, Risk } from '../../domain/change';
import { SqlDialect } from '../../infra/sql-classifier';
import { IsIsoInstant, NestedObject, NestedObjects } from '../common/validation';

const DIALECTS = ['oracle', 'sqlserver', 'mysql', 'postgresql'] as const;

export class AffectedObjectDto {
  @ApiProperty({ enum: OBJECT_TYPES }) @IsIn(OBJECT_TYPES, { message: `type must be one of: ${OBJECT_TYPES.join(', ')}` }) type!: string;
  @ApiProperty({ example: 'HIS.PAT_VISIT' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: OBJECT_ACTIONS }) @IsIn(OBJECT_ACTIONS, { message: `action must be one of: ${OBJECT_ACTIONS.join(', ')}` }) action!: string;
}

export class WindowDto {
  @ApiProperty({ example: '2026-11-28T22:00:00+08:00' }) @IsIsoInstant() start!: string;
  @ApiProperty({ example: '2026-11-29T02:00:00+08:00' }) @IsIsoInstant() end!: string;
}

export class RevisionDto {
  @ApiProperty({ enum: DIALECTS }) @IsIn(DIALECTS, { message: `dialect must be one of: ${DIALECTS.join(', ')}` }) dialect!: SqlDialect;
  @ApiProperty() @IsString() @Length(1, 200_000) forwardScript!: string;
  @ApiProperty() @IsString() @Length(0, 200_000) rollbackScript!: string;
  @ApiProperty({ type: [AffectedObjectDto] }) @ArrayMaxSize(500) @NestedObjects(() => AffectedObjectDto) objects!: AffectedObjectDto[];
  @ApiProperty({ enum: RISKS }) @IsIn(RISKS, { message: `risk must be one of: ${RISKS.join(', ')}` }) risk!: Risk;
}

export class CreateChangeDto extends RevisionDto {
  @ApiProperty({ example: 'SYS-11' }) @IsString() @Length(1, 64) systemId!: string;
  @ApiProperty({ enum: CHANGE_KINDS }) @IsIn(CHANGE_KINDS, { message: `kind must be one of: ${CHANGE_KINDS.join(', ')}` }) kind!: ChangeKind;
  @ApiProperty() @IsString() @Length(1, 200) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) reason!: string;
  @ApiProperty({ type: WindowDto }) @NestedObject(() => WindowDto) window!: WindowDto;
  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'implementerId must be a user id (UUID)' }) implementerId?: string;
  @ApiPropertyOptional({ description: 'incident id or number' }) @IsOptional() @IsString() @Length(1, 64) linkedIncident?: string;
}

export class ReviewDto {
  @ApiProperty({ enum: REVIEW_DECISIONS }) @IsIn(REVIEW_DECISIONS, { message: `decision must be one of: ${REVIEW_DECISIONS.join(', ')}` }) decision!: ReviewDecision;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) comment?: string;
}

export class ImplementDto {
  @ApiProperty() @IsInt() @Min(1) revision!: number;
  @ApiProperty({ description: 'what was run, by whom, the output' }) @IsString() @Length(1, 20_000) evidence!: string;
}

export class VerifyDto {
  @ApiProperty({ enum: ['succeeded', 'rolled_back'] }) @IsIn(['succeeded', 'rolled_back'], { message: 'outcome must be succeeded or rolled_back' }) outcome!: 'succeeded' | 'rolled_back';
  @ApiProperty() @IsString() @Length(1, 20_000) evidence!: string;
}

export class ListChangesQuery {
  @ApiPropertyOptional({ enum: CHANGE_STATES }) @IsOptional() @IsIn(CHANGE_STATES, { message: `state must be one of: ${CHANGE_STATES.join(', ')}` }) state?: string;
}
