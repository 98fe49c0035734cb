import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsObject, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { CRITICALITIES, Criticality, ITEM_TYPE_NAMES, LIFECYCLE_STATUSES, LifecycleStatus, RELATION_TYPE_NAMES } from '../../domain/cmdb';

// `type` is checked by the service against the domain's types, so an unknown one gets the list of known ones.
export class CreateItemDto {
  @ApiProperty({ enum: ITEM_TYPE_NAMES, example: 'server' }) @IsString() type!: string;
  @ApiProperty({ example: 'pacs-db-01', description: 'unique within the type' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'PACS 数据库服务器' }) @IsString() @Length(1, 200) displayName!: string;
  @ApiPropertyOptional({ example: '信息科' }) @IsOptional() @IsString() @Length(1, 100) ownerDepartment?: string;
  @ApiPropertyOptional({ enum: CRITICALITIES }) @IsOptional() @IsIn(CRITICALITIES) criticality?: Criticality;
  @ApiPropertyOptional({ enum: LIFECYCLE_STATUSES }) @IsOptional() @IsIn(LIFECYCLE_STATUSES) lifecycleStatus?: LifecycleStatus;
  @ApiPropertyOptional({ description: 'checked against the type\'s attribute schema (GET /cmdb/types)', example: { os: 'Windows Server', osVersion: '2019', ip: '10.1.2.3' } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'business systems only: the vendor who made it' }) @IsOptional() @IsUUID('all', { message: 'vendorId must be a vendor id (UUID)' }) vendorId?: string;
  @ApiPropertyOptional({ description: 'business systems only: revenue at stake per hour of outage, yuan (S9)' })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1e11)
  revenuePerHour?: number;
}

export class UpdateItemDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) ownerDepartment?: string;
  @ApiPropertyOptional({ enum: CRITICALITIES }) @IsOptional() @IsIn(CRITICALITIES) criticality?: Criticality;
  @ApiPropertyOptional({ enum: LIFECYCLE_STATUSES }) @IsOptional() @IsIn(LIFECYCLE_STATUSES) lifecycleStatus?: LifecycleStatus;
  @ApiPropertyOptional({ description: 'replaces the attributes as a whole' }) @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'vendorId must be a vendor id (UUID)' }) vendorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(1e11) revenuePerHour?: number;
}

export class CreateRelationDto {
  @ApiProperty({ enum: RELATION_TYPE_NAMES, example: 'runs_on' }) @IsString() type!: string;
  @ApiProperty({ description: 'item id, `type:name`, or a business system code (SYS-11)' }) @IsString() @Length(1, 300) sourceId!: string;
  @ApiProperty({ description: 'item id, `type:name`, or a business system code (SYS-11)' }) @IsString() @Length(1, 300) targetId!: string;
}

/** Exactly one of csv or xlsx (the service says which is missing or doubled). */
export class ImportDto {
  @ApiPropertyOptional({ description: 'CSV text with a header row: type,name,displayName,ownerDepartment,criticality,lifecycleStatus,vendor,revenuePerHour,attr.<name>…' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000_000)
  csv?: string;
  @ApiPropertyOptional({ description: 'instead of csv: a base64-encoded .xlsx whose first sheet has the same header row and columns' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000_000)
  xlsx?: string;
}

export interface ItemView {
  id: string;
  type: string;
  typeLabel: string;
  name: string;
  displayName: string;
  ownerDepartment: string | null;
  criticality: Criticality;
  lifecycleStatus: LifecycleStatus;
  attributes: Record<string, unknown>;
  businessSystemId: string | null;
  vendor: { id: string; name: string } | null;
  revenuePerHour: number | null;
  createdAt: string;
  updatedAt: string;
}
