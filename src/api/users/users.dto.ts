import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
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
}

export function mapUser(u: UserEntity): UserResponse {
  return { id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, phone: u.phone, email: u.email, active: u.active };
}
