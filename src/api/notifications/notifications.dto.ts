import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsClockTime, IsRobotKey, IsWebhookUrl, OptionalNestedObject } from '../common/validation';
import { MAX_PAGE } from '../common/dtos';

const CHANNELS = ['in_app', 'email', 'wecom', 'dingtalk', 'sms', 'webhook'] as const;
const STATUSES = ['pending', 'sending', 'queued', 'sent', 'failed', 'unconfirmed', 'suppressed', 'undeliverable'] as const;

export class DeliveryQuery {
  @ApiPropertyOptional({ description: 'incident id or number' }) @IsOptional() @IsString() @Length(1, 64) incident?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` }) channel?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` }) status?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}

export class QuietHoursDto {
  @ApiProperty({ example: '22:00' }) @IsClockTime() start!: string;
  @ApiProperty({ example: '07:30' }) @IsClockTime() end!: string;
}

/** Who gets what by which channel: the order is the fallback order; in-app always comes last. */
export class UserChannelsDto {
  @ApiProperty({ enum: CHANNELS, isArray: true, example: ['wecom', 'email'] })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(6)
  @IsIn(CHANNELS, { each: true, message: `channels must each be one of: ${CHANNELS.join(', ')}` })
  channels!: (typeof CHANNELS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsRobotKey() wecomRobotKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsRobotKey() dingtalkToken?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(8, 200) dingtalkSecret?: string;
  @ApiPropertyOptional() @IsOptional() @IsWebhookUrl() webhookUrl?: string;
  @ApiPropertyOptional({ description: 'no outbound messages in this window, except breaches and escalations' })
  @IsOptional()
  @OptionalNestedObject(() => QuietHoursDto)
  quietHours?: QuietHoursDto;
}
