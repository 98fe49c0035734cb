import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { SUPPORT_STATES, SUPPORT_TYPES, SupportState, SupportType } from '../../domain/support/support-request';
import { MAX_PAGE } from '../common/dtos';
import { NestedObject, NestedObjects } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;

export class RequesterDto {
  @ApiProperty() @IsString() @Length(1, 100) @Matches(NO_NUL) name!: string;
  @ApiProperty() @IsString() @Length(1, 100) @Matches(NO_NUL) department!: string;
}

export class CreateSupportRequestDto {
  @ApiProperty({ description: '业务系统编号或 id / business system code (SYS-11) or id' }) @IsString() @Length(1, 64) @Matches(NO_NUL) systemId!: string;
  @ApiProperty({ enum: SUPPORT_TYPES }) @IsIn(SUPPORT_TYPES, { message: `type must be one of: ${SUPPORT_TYPES.join(', ')}` }) type!: SupportType;
  @ApiProperty() @IsString() @Length(1, 200) @Matches(NO_NUL) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) @Matches(NO_NUL) description!: string;
  @ApiProperty({ type: RequesterDto }) @NestedObject(() => RequesterDto) requester!: RequesterDto;
}

export class ListSupportRequestsQuery {
  @ApiPropertyOptional({ enum: SUPPORT_STATES }) @IsOptional() @IsIn(SUPPORT_STATES, { message: `state must be one of: ${SUPPORT_STATES.join(', ')}` }) state?: SupportState;
  @ApiPropertyOptional({ enum: SUPPORT_TYPES }) @IsOptional() @IsIn(SUPPORT_TYPES, { message: `type must be one of: ${SUPPORT_TYPES.join(', ')}` }) type?: SupportType;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}

export class SupportChangeDto {
  @ApiProperty({ description: '变更编号或 id / the change (CHG-… or id)' }) @IsString() @Length(1, 64) @Matches(NO_NUL) change!: string;
}

export class FulfilDto {
  @ApiProperty({ description: '处理结果 / what was done' }) @IsString() @Length(1, 5000) @Matches(NO_NUL) result!: string;
  @ApiPropertyOptional({ description: '执行数据修改的变更 / the change that changed the data' }) @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) change?: string;
}

export class SupportPolicyDto {
  @ApiProperty({ enum: SUPPORT_TYPES }) @IsIn(SUPPORT_TYPES, { message: `type must be one of: ${SUPPORT_TYPES.join(', ')}` }) type!: SupportType;
  @ApiProperty({ description: '时限（工作日） / the clock in working days' }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0.1) @Max(60) workingDays!: number;
  @ApiProperty({ description: '是否涉及数据修改（须经变更） / changes data (goes through a change)' }) @IsBoolean() touchesData!: boolean;
}

export class SupportPoliciesDto {
  @ApiProperty({ type: [SupportPolicyDto] }) @NestedObjects(() => SupportPolicyDto) @ArrayMaxSize(SUPPORT_TYPES.length) policies!: SupportPolicyDto[];
}
