import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MILESTONE_CODES, MilestoneCode } from '../../domain/evidence/contract';
import { IsIsoInstant } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** S18: the service contract as the IT manager records it. */
export class CreateContractDto {
  @ApiProperty({ example: 'HT-2026-001' }) @IsString() @Length(1, 64) @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'number may hold letters, digits and . _ / -' }) number!: string;
  @ApiProperty({ example: '第三方临床系统运维服务合同' }) @IsString() @Length(1, 200) @Matches(NO_NUL) title!: string;
  @ApiProperty({ example: '某某市人民医院' }) @IsString() @Length(1, 200) @Matches(NO_NUL) hospital!: string;
  @ApiProperty({ example: '某某信息技术有限公司' }) @IsString() @Length(1, 200) @Matches(NO_NUL) vendor!: string;
  @ApiProperty({ example: '2026-01-01', description: '服务期开始日（合同时区） / first day of the service period (contract zone)' })
  @Matches(DATE, { message: 'startDate must be a date YYYY-MM-DD' })
  startDate!: string;
  @ApiPropertyOptional({ default: 12, description: '服务期月数 / months of service (S18: 12)' }) @IsOptional() @IsInt() @Min(1) @Max(60) months?: number;
  @ApiPropertyOptional({ description: '合同总额 / contract value' }) @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(1e12) amount?: number;
  @ApiPropertyOptional({ default: 'CNY' }) @IsOptional() @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter code (CNY)' }) currency?: string;
  @ApiPropertyOptional({ type: [String], description: '覆盖的业务系统（编号或 id；缺省为合同所列全部在册条目） / systems covered (codes or ids; default: all 37 lines of the seed, i.e. every active entry)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  systems?: string[];
}

export class UpdateContractDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) @Matches(NO_NUL) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) @Matches(NO_NUL) hospital?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) @Matches(NO_NUL) vendor?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE, { message: 'startDate must be a date YYYY-MM-DD' }) startDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(60) months?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(1e12) amount?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter code (CNY)' }) currency?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @Length(1, 64, { each: true }) systems?: string[];
}

export class MilestoneParams {
  @ApiProperty() @IsString() @Length(1, 64) ref!: string;
  @ApiProperty({ enum: MILESTONE_CODES }) @IsIn(MILESTONE_CODES, { message: `code must be one of: ${MILESTONE_CODES.join(', ')}` }) code!: MilestoneCode;
}

export class RecordPaymentDto {
  @ApiPropertyOptional({ description: '到账时间，缺省为现在 / when it was paid (default now)' }) @IsOptional() @IsIsoInstant() paidAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) @Matches(NO_NUL) note?: string;
}
