import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { VENDOR_PROGRESS, VendorProgress } from '../../domain/escalation';
import { IsIsoInstant } from '../common/validation';

export class EscalateDto {
  @ApiProperty({ example: '现场无法定位数据库死锁原因，需要原厂专家' }) @IsString() @Length(1, 2000) reason!: string;
}

const ON_BEHALF = {
  description:
    'staff only: the vendor contact you record this for (their id); the record keeps you as the actor, "on behalf of" the contact. A vendor contact acts for themselves and leaves it out.',
};

export class AcknowledgeDto {
  @ApiPropertyOptional({ example: '2026-11-27T15:30:00+08:00' }) @IsOptional() @IsIsoInstant() promisedOnSiteAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) note?: string;
  @ApiPropertyOptional(ON_BEHALF) @IsOptional() @IsUUID('all', { message: 'onBehalfOfContactId must be a vendor contact id (UUID)' }) onBehalfOfContactId?: string;
}

/** The one-time link's form: a local time in the contract's zone (a browser's datetime-local), or an ISO time. */
export class LinkAcknowledgeDto {
  @ApiPropertyOptional({ example: '2026-11-27T15:30:00+08:00' }) @IsOptional() @IsIsoInstant() promisedOnSiteAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) note?: string;
  @ApiPropertyOptional({ example: '2026-11-27T15:30' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { message: 'promisedLocalTime must be YYYY-MM-DDTHH:MM (Beijing time)' })
  promisedLocalTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;
}

export class ProgressDto {
  @ApiProperty({ enum: VENDOR_PROGRESS }) @IsIn(VENDOR_PROGRESS, { message: `kind must be one of: ${VENDOR_PROGRESS.join(', ')}` }) kind!: VendorProgress;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) note?: string;
  @ApiPropertyOptional(ON_BEHALF) @IsOptional() @IsUUID('all', { message: 'onBehalfOfContactId must be a vendor contact id (UUID)' }) onBehalfOfContactId?: string;
}
