import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

const NO_NUL = /^[^\u0000]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** S17: a pack of a period (the contract's by default) or of one delivered modification. */
export class CreatePackDto {
  @ApiProperty({ enum: ['period', 'modification'] }) @IsIn(['period', 'modification'], { message: 'scope must be period or modification' }) scope!: 'period' | 'modification';
  @ApiPropertyOptional({ description: '合同编号或 id（缺省为当前合同） / contract number or id (default: the one in force)' }) @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) contract?: string;
  @ApiPropertyOptional({ description: '起始日（含） / first day (YYYY-MM-DD); with `to`, instead of the contract period' }) @IsOptional() @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' }) from?: string;
  @ApiPropertyOptional({ description: '截止日（含） / last day (YYYY-MM-DD)' }) @IsOptional() @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' }) to?: string;
  @ApiPropertyOptional({ description: '改造需求编号（scope=modification） / the modification (MOD-…)' }) @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) modification?: string;
}

export class PackDecisionDto {
  @ApiPropertyOptional({ description: '验收意见；退回时必填 / the decision note (required to reject)' }) @IsOptional() @IsString() @Length(1, 2000) @Matches(NO_NUL) note?: string;
}
