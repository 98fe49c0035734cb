import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ESCALATION_LEVELS } from '../../domain/escalation';
import { IsContactEmail, IsContactPhone, IsRobotKey, IsWebhookUrl } from '../common/validation';

export class CreateVendorDto {
  @ApiProperty({ example: '米健' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 2000) notes?: string;
  @ApiPropertyOptional({ description: 'business system ids or codes this vendor made', example: ['SYS-01'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  systems?: string[];
}

export class SetVendorSystemsDto {
  @ApiProperty({ example: ['SYS-01'] }) @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) systems!: string[];
}

/** S7: a vendor's contact, by escalation level: 1 support, 2 expert or manager, 3 executive. */
export class CreateContactDto {
  @ApiProperty({ example: '张工' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: '技术支持' }) @IsString() @Length(1, 100) role!: string;
  @ApiProperty({ enum: ESCALATION_LEVELS }) @IsIn(ESCALATION_LEVELS, { message: 'level must be 1 (support), 2 (expert or manager) or 3 (executive)' }) level!: 1 | 2 | 3;
  @ApiPropertyOptional({ example: '13800138000' }) @IsOptional() @IsContactPhone() phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsContactEmail() email?: string;
  @ApiPropertyOptional({ description: 'WeCom group robot key' }) @IsOptional() @IsRobotKey() wecomRobotKey?: string;
  @ApiPropertyOptional({ description: 'DingTalk robot access token' }) @IsOptional() @IsRobotKey() dingtalkToken?: string;
  @ApiPropertyOptional({ description: 'DingTalk signing secret (SEC…)' }) @IsOptional() @IsString() @Length(8, 200) dingtalkSecret?: string;
  @ApiPropertyOptional() @IsOptional() @IsWebhookUrl() webhookUrl?: string;
  @ApiPropertyOptional({ description: 'a Wardline user (role vendor_contact) who acknowledges through the API' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a user id (UUID)' })
  userId?: string;
}
