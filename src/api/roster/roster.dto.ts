import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsIsoInstant } from '../common/validation';

export class CreateShiftDto {
  @ApiProperty() @IsUUID('all', { message: 'userId must be a user id (UUID)' }) userId!: string;
  @ApiProperty({ example: '2026-11-27T08:00:00+08:00' }) @IsIsoInstant() startsAt!: string;
  @ApiProperty({ example: '2026-11-27T18:00:00+08:00' }) @IsIsoInstant() endsAt!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 500) note?: string;
}

export class OnDutyQuery {
  @ApiPropertyOptional({ description: 'default: now' }) @IsOptional() @IsIsoInstant() at?: string;
}
