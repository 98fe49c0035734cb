import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { FORECAST_KINDS } from '../../domain/forecast/forecast';
import { IsIsoInstant } from '../common/validation';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class ListPredictionsQuery {
  @ApiPropertyOptional({ description: 'configuration item: id, type:name or system code' }) @IsOptional() @IsString() @Length(1, 300) item?: string;
  @ApiPropertyOptional({ enum: FORECAST_KINDS }) @IsOptional() @IsIn(FORECAST_KINDS, { message: `kind must be one of: ${FORECAST_KINDS.join(', ')}` }) kind?: string;
  @ApiPropertyOptional({ description: 'only forecasts inside (true) or outside (false) the horizon' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'withinHorizon must be true or false' })
  withinHorizon?: boolean;
}

export class ItemMetricsQuery {
  @ApiPropertyOptional({ description: 'default: 6 hours before `to`', example: '2026-11-30T08:00:00+08:00' }) @IsOptional() @IsIsoInstant() from?: string;
  @ApiPropertyOptional({ description: 'default: now', example: '2026-11-30T14:00:00+08:00' }) @IsOptional() @IsIsoInstant() to?: string;
  @ApiPropertyOptional({ description: 'seconds between points; default: the range in about 300 points, at least 15 s' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'step must be a whole number of seconds' })
  @Min(1, { message: 'step must be at least 1 second' })
  @Max(86_400, { message: 'step must be at most 86400 seconds (a day)' })
  step?: number;
}
