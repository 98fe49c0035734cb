import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../infra/passwords';
import { UserEntity } from '../../persistence/entities';
import { ROLES, Role } from '../auth/roles';
import { IsIsoInstant } from '../common/validation';

export class CreateUserDto {
  @ApiProperty({ example: 'zhang.wei' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,62}$/, { message: 'username must be 2–63 lowercase letters, digits, dots, dashes or underscores' })
  username!: string;

  @ApiProperty({ example: '张伟' })
  @IsString()
  @Length(1, 100)
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `roles must each be one of: ${ROLES.join(', ')}` })
  roles!: Role[];

  @ApiPropertyOptional({ example: '13800138000' })
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'phone must be a phone number of digits, spaces or dashes' })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ description: `初始密码（${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} 个字符），用于网页登录 / an initial password for signing in to the console` })
  @IsOptional()
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: `password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters` })
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: '张伟' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `roles must each be one of: ${ROLES.join(', ')}` })
  roles?: Role[];

  @ApiPropertyOptional({ description: '停用后其登录会话与令牌立即失效 / deactivating ends the sessions and stops the tokens at once' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ example: '13800138000' })
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'phone must be a phone number of digits, spaces or dashes' })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;
}

export class SetPasswordDto {
  @ApiProperty({ description: `新密码（${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} 个字符）/ the new password` })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: `password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters` })
  password!: string;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'dispatch desk' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ example: '2027-11-27T00:00:00+08:00' })
  @IsOptional()
  @IsIsoInstant()
  expiresAt?: string;
}

export interface UserResponse {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  phone: string | null;
  email: string | null;
  active: boolean;
  authSource: 'local' | 'directory';
  lastSignInAt: Date | null;
}

export function mapUser(u: UserEntity): UserResponse {
  return { id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, phone: u.phone, email: u.email, active: u.active, authSource: u.authSource, lastSignInAt: u.lastSignInAt };
}
