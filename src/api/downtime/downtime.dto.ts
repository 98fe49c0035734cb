import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIsoInstant } from '../common/validation';

const NO_NUL = /^[^\u0000]*$/;

/** S9: the period of a downtime report, [from, to). */
export class DowntimeQuery {
  @ApiProperty({ description: '起（含） / from (ISO instant, inclusive)', example: '2026-11-01T00:00:00+08:00' }) @IsIsoInstant() from!: string;
  @ApiProperty({ description: '止（不含） / to (ISO instant, exclusive)', example: '2026-12-01T00:00:00+08:00' }) @IsIsoInstant() to!: string;
}

/** S9: a dispatcher says whether an incident is an outage of its system, and may correct when it began. */
export class OutageFlagDto {
  @ApiProperty({ description: '是否为停机（业务中断） / whether the incident is an outage of its system' }) @IsBoolean() outage!: boolean;
  @ApiPropertyOptional({ description: '停机实际开始时间（默认：报障或首条告警时间） / when the outage began (default: the report or first alert)' })
  @IsOptional()
  @IsIsoInstant()
  startedAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) @Matches(NO_NUL) note?: string;
}
