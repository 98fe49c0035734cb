import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** S8: a report of a month drafted on request (the schedule drafts the previous month's by itself). */
export class CreateMonthlyReportDto {
  @ApiProperty({ example: '2026-10' }) @Matches(MONTH, { message: 'month must be a month YYYY-MM' }) month!: string;
}

export class MonthParams {
  @ApiProperty({ example: '2026-10' }) @Matches(MONTH, { message: 'month must be a month YYYY-MM' }) month!: string;
}

export class ImprovementPlanDto {
  @ApiProperty({ description: '改进计划全文 / the improvement plan, whole' }) @IsString() @Length(1, 20000) @Matches(/^[^\u0000]*$/, { message: 'text must not contain NUL' }) text!: string;
}
