import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PARTIES, Party, RECORD_SOURCE_KINDS, RECORD_STATES, RecordSourceKind, RecordState } from '../../domain/records/record';
import { MAX_PAGE } from '../common/dtos';
import { IsIsoInstant } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;

/** S14 query and trace: by system, period, type, party and confirmation state. */
export class ListRecordsQuery {
  @ApiPropertyOptional({ description: '系统编号或 id / system code (SYS-11) or id' }) @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) systemId?: string;
  @ApiPropertyOptional({ enum: RECORD_SOURCE_KINDS }) @IsOptional() @IsIn(RECORD_SOURCE_KINDS, { message: `type must be one of: ${RECORD_SOURCE_KINDS.join(', ')}` }) type?: RecordSourceKind;
  @ApiPropertyOptional({ enum: RECORD_STATES }) @IsOptional() @IsIn(RECORD_STATES, { message: `state must be one of: ${RECORD_STATES.join(', ')}` }) state?: RecordState;
  @ApiPropertyOptional({ enum: PARTIES, description: '尚待该方确认 / still awaiting this party' }) @IsOptional() @IsIn(PARTIES, { message: 'awaiting must be hospital or vendor' }) awaiting?: Party;
  @ApiPropertyOptional({ enum: PARTIES, description: '该方已确认 / confirmed by this party' }) @IsOptional() @IsIn(PARTIES, { message: 'confirmedBy must be hospital or vendor' }) confirmedBy?: Party;
  @ApiPropertyOptional({ description: '完成时间起 / completed from (ISO instant)' }) @IsOptional() @IsIsoInstant() from?: string;
  @ApiPropertyOptional({ description: '完成时间止（不含） / completed before (ISO instant)' }) @IsOptional() @IsIsoInstant() to?: string;
  @ApiPropertyOptional({ description: '来源编号 / source number (INC-…, CHG-…, MOD-…)' }) @IsOptional() @IsString() @Length(1, 64) @Matches(NO_NUL) source?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}

export class ConfirmRecordDto {
  @ApiPropertyOptional({ enum: PARTIES, description: '代表哪一方（兼任两方角色时必填） / the side signed for, when one holds both' })
  @IsOptional()
  @IsIn(PARTIES, { message: 'party must be hospital or vendor' })
  party?: Party;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) @Matches(NO_NUL) comment?: string;
}

export class DisputeRecordDto {
  @ApiPropertyOptional({ enum: PARTIES }) @IsOptional() @IsIn(PARTIES, { message: 'party must be hospital or vendor' }) party?: Party;
  @ApiProperty({ description: '异议原因 / why the record is wrong' }) @IsString() @Length(1, 2000) @Matches(NO_NUL) reason!: string;
  @ApiPropertyOptional({ enum: ['reopen', 'correct'], description: 'reopen：重开工作（医院方对故障）；correct：要求更正记录 / reopen the work or ask for a correction' })
  @IsOptional()
  @IsIn(['reopen', 'correct'], { message: 'remedy must be reopen or correct' })
  remedy?: 'reopen' | 'correct';
}

/** S14: a correction is a new ledger entry pointing at the disputed one; texts not given are kept. */
export class CorrectRecordDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) @Matches(NO_NUL) problem?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) @Matches(NO_NUL) process?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) @Matches(NO_NUL) cause?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) @Matches(NO_NUL) result?: string;
  @ApiProperty({ description: '更正说明 / what was corrected and why' }) @IsString() @Length(1, 2000) @Matches(NO_NUL) note!: string;
}
