import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { CHANNELS, Channel, INCIDENT_STATES, IncidentState, RESOLUTION_CATEGORIES, ResolutionCategory } from '../../domain/incident';
import { PRIORITIES, Priority } from '../../domain/sla-policy';
import { MAX_PAGE, NoteDto, ReasonDto } from '../common/dtos';
import { IsIsoInstant, NestedObject } from '../common/validation';

export { NoteDto, ReasonDto };

export class ReporterDto {
  @ApiProperty({ example: '李护士长' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: 'ICU' }) @IsString() @Length(1, 100) department!: string;
  @ApiPropertyOptional({ example: '8021' })
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 -]{2,19}$/, { message: 'phone must be a phone number or extension of digits, spaces or dashes' })
  phone?: string;
}

export class CreateIncidentDto {
  @ApiProperty({ description: 'business system id or code', example: 'SYS-11' }) @IsString() @Length(1, 64) systemId!: string;
  @ApiProperty({ example: 'PACS 影像无法调阅' }) @IsString() @Length(1, 200) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) description!: string;
  @ApiProperty({ type: ReporterDto }) @NestedObject(() => ReporterDto) reporter!: ReporterDto;
  @ApiProperty({ enum: PRIORITIES }) @IsIn(PRIORITIES, { message: `priority must be one of: ${PRIORITIES.join(', ')}` }) priority!: Priority;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` }) channel!: Channel;
  @ApiPropertyOptional({ description: 'default: now; must name its zone', example: '2026-11-27T09:30:00+08:00' })
  @IsOptional()
  @IsIsoInstant()
  reportedAt?: string;
  @ApiPropertyOptional({ description: 'default: the engineer on duty' })
  @IsOptional()
  @IsUUID('all', { message: 'assigneeId must be a user id (UUID)' })
  assigneeId?: string;
  @ApiPropertyOptional({ description: '业务中断（停机），计入停机时长与营收影响 / the system is down: counts towards downtime and revenue at stake (S9)' })
  @IsOptional()
  @IsBoolean({ message: 'outage must be true or false' })
  outage?: boolean;
}

export class ResolveDto extends NoteDto {
  @ApiProperty({ description: 'root cause' }) @IsString() @Length(1, 2000) cause!: string;
  @ApiProperty({ description: 'what was done' }) @IsString() @Length(1, 5000) fix!: string;
  @ApiProperty({ enum: RESOLUTION_CATEGORIES })
  @IsIn(RESOLUTION_CATEGORIES, { message: `category must be one of: ${RESOLUTION_CATEGORIES.join(', ')}` })
  category!: ResolutionCategory;
}

export class AssignDto extends NoteDto {
  @ApiProperty() @IsUUID('all', { message: 'assigneeId must be a user id (UUID)' }) assigneeId!: string;
}

export class PriorityDto extends ReasonDto {
  @ApiProperty({ enum: PRIORITIES }) @IsIn(PRIORITIES, { message: `priority must be one of: ${PRIORITIES.join(', ')}` }) priority!: Priority;
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListIncidentsQuery {
  @ApiPropertyOptional({ enum: INCIDENT_STATES }) @IsOptional() @IsIn(INCIDENT_STATES, { message: `state must be one of: ${INCIDENT_STATES.join(', ')}` }) state?: IncidentState;
  @ApiPropertyOptional({ description: '仅未结束（未关闭、未取消）的工单 / only incidents not closed or cancelled (true), or only those (false)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'open must be true or false' })
  open?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) systemId?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES, { message: `priority must be one of: ${PRIORITIES.join(', ')}` }) priority?: Priority;
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean({ message: 'breached must be true or false' }) breached?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'assigneeId must be a user id (UUID)' }) assigneeId?: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoInstant() reportedFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoInstant() reportedTo?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}
