import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PROBLEM_STATES, ProblemState } from '../../domain/problems/problem';
import { RECURRENCE_KINDS, RecurrenceKind } from '../../domain/problems/recurrence';
import { MAX_PAGE } from '../common/dtos';
import { NestedObjects } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;

export class CreateProblemDto {
  @ApiProperty({ description: '业务系统编号或 id / business system code (SYS-11) or id' }) @IsString() @Length(1, 64) @Matches(NO_NUL) systemId!: string;
  @ApiProperty() @IsString() @Length(1, 200) @Matches(NO_NUL) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) @Matches(NO_NUL) description!: string;
  @ApiPropertyOptional({ type: [String], description: '关联的工单编号或 id / incidents it explains (INC-… or ids)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  incidents?: string[];
}

export class ListProblemsQuery {
  @ApiPropertyOptional({ enum: PROBLEM_STATES }) @IsOptional() @IsIn(PROBLEM_STATES, { message: `state must be one of: ${PROBLEM_STATES.join(', ')}` }) state?: ProblemState;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) systemId?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}

export class RootCauseDto {
  @ApiProperty({ description: '根本原因 / the root cause' }) @IsString() @Length(1, 5000) @Matches(NO_NUL) rootCause!: string;
}

export class WorkaroundDto {
  @ApiProperty({ description: '临时解决办法 / the workaround' }) @IsString() @Length(1, 5000) @Matches(NO_NUL) workaround!: string;
}

export class LinkChangeDto {
  @ApiProperty({ description: '变更编号或 id / the change (CHG-… or id)' }) @IsString() @Length(1, 64) @Matches(NO_NUL) change!: string;
}

export class FixedDto {
  @ApiPropertyOptional({ description: '修复它的变更（默认：最近关联的变更） / the change that fixed it (default: the last linked)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(NO_NUL)
  change?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) @Matches(NO_NUL) note?: string;
}

export class LinkIncidentDto {
  @ApiProperty({ description: '工单编号或 id / the incident (INC-… or id)' }) @IsString() @Length(1, 64) @Matches(NO_NUL) incident!: string;
}

export class RecurrenceRuleDto {
  @ApiProperty({ enum: RECURRENCE_KINDS }) @IsIn(RECURRENCE_KINDS, { message: `kind must be one of: ${RECURRENCE_KINDS.join(', ')}` }) kind!: RecurrenceKind;
  @ApiProperty({ description: '窗口内发生次数阈值 / how many incidents in the window' }) @IsInt() @Min(2) @Max(100) threshold!: number;
  @ApiProperty({ description: '窗口天数 / window in days' }) @IsInt() @Min(1) @Max(366) windowDays!: number;
  @ApiProperty() @IsBoolean() enabled!: boolean;
}

export class RecurrenceRulesDto {
  @ApiProperty({ type: [RecurrenceRuleDto] }) @NestedObjects(() => RecurrenceRuleDto) @ArrayMaxSize(3) rules!: RecurrenceRuleDto[];
}
