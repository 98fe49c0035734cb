import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SURVEY_SCORES } from '../../domain/surveys/survey';
import { IsIsoInstant } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;

/** S8: the reporter's answer through the one-time link (JSON, or the page's form, whose fields arrive as text). */
export class SurveyAnswerDto {
  @ApiProperty({ enum: SURVEY_SCORES, description: '1 非常不满意 … 5 非常满意 / 1 very dissatisfied … 5 very satisfied' })
  @Type(() => Number)
  @IsInt({ message: 'score must be a whole number from 1 to 5' })
  @IsIn(SURVEY_SCORES, { message: 'score must be one of: 1, 2, 3, 4, 5' })
  score!: number;
  @ApiPropertyOptional({ description: '意见与建议 / comments' }) @IsOptional() @IsString() @Length(0, 2000) @Matches(NO_NUL) comment?: string;
}

export class SurveyPeriodQuery {
  @ApiProperty({ description: '起（含） / from (ISO instant, inclusive)', example: '2026-11-01T00:00:00+08:00' }) @IsIsoInstant() from!: string;
  @ApiProperty({ description: '止（不含） / to (ISO instant, exclusive)', example: '2026-12-01T00:00:00+08:00' }) @IsIsoInstant() to!: string;
}
