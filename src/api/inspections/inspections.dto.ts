import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNumber, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { BASES, COLLECTORS, OPERATORS, PROFILES, SEVERITIES } from '../../domain/inspection/catalogue';
import { ITEM_TYPE_NAMES } from '../../domain/cmdb';
import { IsIsoInstant, NestedObject, NestedObjects, OptionalNestedObject } from '../common/validation';

export class InspectionScopeDto {
  @ApiPropertyOptional({ description: "a business system (code like SYS-11, id or type:name): its whole dependency tree" }) @IsOptional() @IsString() @Length(1, 200) system?: string;
  @ApiPropertyOptional({ enum: ITEM_TYPE_NAMES, description: 'every active item of this type' }) @IsOptional() @IsIn(ITEM_TYPE_NAMES, { message: `itemType must be one of: ${ITEM_TYPE_NAMES.join(', ')}` }) itemType?: string;
  @ApiPropertyOptional({ description: 'everything in the CMDB' }) @IsOptional() @IsIn([true], { message: 'all must be true when given' }) all?: true;
}

export class CreateInspectionDto {
  @ApiProperty({ type: InspectionScopeDto, description: 'exactly one of system, itemType, all' }) @NestedObject(() => InspectionScopeDto) scope!: InspectionScopeDto;
  @ApiPropertyOptional({ enum: PROFILES, default: 'quarterly', description: 'quarterly: every check; monthly: the lighter set' })
  @IsOptional()
  @IsIn(PROFILES, { message: `profile must be one of: ${PROFILES.join(', ')}` })
  profile?: (typeof PROFILES)[number];
}

export class TextDto {
  @ApiProperty({ description: 'zh-CN first' }) @IsString() @Length(1, 2000) zh!: string;
  @ApiProperty({ description: 'English second' }) @IsString() @Length(1, 2000) en!: string;
}

export class ThresholdDto {
  @ApiProperty({ enum: OPERATORS }) @IsIn(OPERATORS, { message: `op must be one of: ${OPERATORS.join(' ')}` }) op!: (typeof OPERATORS)[number];
  @ApiProperty() @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'value must be a finite number' }) value!: number;
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES, { message: `severity must be one of: ${SEVERITIES.join(', ')}` }) severity!: (typeof SEVERITIES)[number];
}

export class AppliesToDto {
  @ApiProperty({ enum: ITEM_TYPE_NAMES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsIn(ITEM_TYPE_NAMES, { each: true, message: `itemTypes must be among: ${ITEM_TYPE_NAMES.join(', ')}` })
  itemTypes!: (typeof ITEM_TYPE_NAMES)[number][];
  @ApiPropertyOptional({ type: [String], example: ['postgresql'] }) @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 40, { each: true }) engines?: string[];
  @ApiPropertyOptional({ type: [String], example: ['debian'] }) @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 40, { each: true }) osFamilies?: string[];
}

export class ColumnsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) subject?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) value?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) detail?: string;
}

/** A check as data (P4): publishing a known id makes its next version; a new id starts at 1. */
export class PublishCheckDto {
  @ApiProperty({ example: 'pg.backup_log_age' }) @IsString() @Length(1, 80) @Matches(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,5}$/, { message: 'id must be a dotted lower-case name such as os.fs.usage' }) id!: string;
  @ApiProperty({ enum: COLLECTORS }) @IsIn(COLLECTORS, { message: `collector must be one of: ${COLLECTORS.join(', ')}` }) collector!: (typeof COLLECTORS)[number];
  @ApiProperty({ type: AppliesToDto }) @NestedObject(() => AppliesToDto) appliesTo!: AppliesToDto;
  @ApiProperty({ enum: PROFILES, isArray: true }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2) @IsIn(PROFILES, { each: true, message: `profiles must be among: ${PROFILES.join(', ')}` }) profiles!: (typeof PROFILES)[number][];
  @ApiProperty({ description: 'shell command (ssh), read-only SQL (postgresql, mysql), PromQL with $selector and $range (prometheus), ageHours(<attribute>) (cmdb)' })
  @IsString()
  @Length(1, 8000)
  query!: string;
  @ApiPropertyOptional({ description: 'a query that must return a row for the check to apply' }) @IsOptional() @IsString() @Length(1, 2000) precondition?: string;
  @ApiPropertyOptional({ type: ColumnsDto }) @IsOptional() @OptionalNestedObject(() => ColumnsDto) columns?: ColumnsDto;
  @ApiProperty({ example: '%' }) @IsString() @Length(0, 20) unit!: string;
  @ApiProperty({ enum: BASES }) @IsIn(BASES, { message: `basis must be one of: ${BASES.join(', ')}` }) basis!: (typeof BASES)[number];
  @ApiProperty({ type: [ThresholdDto] }) @ArrayMaxSize(10) @NestedObjects(() => ThresholdDto) thresholds!: ThresholdDto[];
  @ApiPropertyOptional({ enum: SEVERITIES }) @IsOptional() @IsIn(SEVERITIES, { message: `onNull must be one of: ${SEVERITIES.join(', ')}` }) onNull?: (typeof SEVERITIES)[number];
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES, { message: `severity must be one of: ${SEVERITIES.join(', ')}` }) severity!: (typeof SEVERITIES)[number];
  @ApiProperty({ type: TextDto }) @NestedObject(() => TextDto) title!: TextDto;
  @ApiProperty({ type: TextDto }) @NestedObject(() => TextDto) explanation!: TextDto;
  @ApiProperty({ type: TextDto }) @NestedObject(() => TextDto) advice!: TextDto;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class DbCredentialDto {
  @ApiProperty({ example: 'his-db-monitor' }) @IsString() @Length(1, 100) @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'name may hold letters, digits, dot, dash and underscore' }) name!: string;
  @ApiProperty({ example: 'wardline_monitor' }) @IsString() @Length(1, 100) username!: string;
  @ApiProperty({ description: 'sealed in the vault; never answered back' }) @IsString() @Length(1, 500) password!: string;
}

export const RAISE_KINDS = ['incident', 'change', 'problem'] as const;

export class RaiseFromRiskDto {
  @ApiProperty({ enum: RAISE_KINDS }) @IsIn(RAISE_KINDS, { message: `kind must be one of: ${RAISE_KINDS.join(', ')}` }) kind!: (typeof RAISE_KINDS)[number];
  @ApiPropertyOptional({ description: 'business system (code); default: the first system the item affects' }) @IsOptional() @IsString() @Length(1, 64) systemId?: string;
  @ApiPropertyOptional({ description: 'incident priority; default from the severity' }) @IsOptional() @IsIn(['P1', 'P2', 'P3', 'P4'], { message: 'priority must be one of: P1, P2, P3, P4' }) priority?: 'P1' | 'P2' | 'P3' | 'P4';
  @ApiPropertyOptional({ description: 'change window start (kind change); default: tomorrow 22:00 in the contract zone' }) @IsOptional() @IsIsoInstant() windowStart?: string;
  @ApiPropertyOptional({ description: 'change window end (kind change)' }) @IsOptional() @IsIsoInstant() windowEnd?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) note?: string;
}

export class SignOffDto {
  @ApiPropertyOptional({ enum: ['project_manager', 'quality_manager'], description: 'which of your roles signs, when you hold both' })
  @IsOptional()
  @IsIn(['project_manager', 'quality_manager'], { message: 'as must be project_manager or quality_manager' })
  as?: 'project_manager' | 'quality_manager';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) note?: string;
}

export class ListQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500 }) @IsOptional() @Min(1) @Max(500) limit?: number;
}

export class FindingsQuery {
  @ApiPropertyOptional({ enum: SEVERITIES }) @IsOptional() @IsIn(SEVERITIES, { message: `severity must be one of: ${SEVERITIES.join(', ')}` }) severity?: (typeof SEVERITIES)[number];
  @ApiPropertyOptional({ description: 'item id' }) @IsOptional() @IsString() @Length(1, 64) itemId?: string;
  @ApiPropertyOptional({ description: 'passed and skipped results too' }) @IsOptional() @IsIn(['true', 'false'], { message: 'all must be true or false' }) all?: 'true' | 'false';
}

export class ReportsQuery {
  @ApiPropertyOptional({ description: 'reports whose period ends at or after', example: '2026-10-01T00:00:00+08:00' }) @IsOptional() @IsIsoInstant() from?: string;
  @ApiPropertyOptional({ description: 'reports whose period ends before', example: '2027-01-01T00:00:00+08:00' }) @IsOptional() @IsIsoInstant() to?: string;
}
