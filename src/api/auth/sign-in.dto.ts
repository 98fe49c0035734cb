import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length } from 'class-validator';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../infra/passwords';
import { NestedObjects } from '../common/validation';
import { obj, list, strings } from '../common/schemas';
import { ROLES, Role } from './roles';

export class SignInDto {
  @ApiProperty({ example: 'wang.dd', description: '用户名（本地或目录账号）/ username (local or directory account)' })
  @IsString()
  @Length(1, 100)
  username!: string;

  @ApiProperty({ example: '••••••••••', description: '密码 / password' })
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: '当前密码 / the current password' })
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  currentPassword!: string;

  @ApiProperty({ description: `新密码（${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} 个字符）/ the new password` })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: `newPassword must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters` })
  newPassword!: string;
}

export class GroupRoleDto {
  @ApiProperty({ example: 'cn=dispatchers,ou=groups,dc=hospital,dc=cn' })
  @IsString()
  @Length(3, 500)
  groupDn!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role!: Role;
}

export class GroupRolesDto {
  @ApiProperty({ type: [GroupRoleDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @NestedObjects(() => GroupRoleDto)
  mappings!: GroupRoleDto[];
}

const SESSION_USER = obj({ id: 'uuid', username: 'string', displayName: 'string', roles: strings });
export const SESSION = obj(
  {
    user: SESSION_USER,
    via: { type: 'string', enum: ['session', 'token'] },
    authSource: 'string?',
    csrfToken: { type: 'string', nullable: true, description: '登录会话的写操作须带 X-CSRF-Token / send it as X-CSRF-Token on changes made with the session cookie' },
    expiresAt: 'date-time?',
    idleExpiresAt: 'date-time?',
    idleTimeoutSeconds: 'integer',
  },
  '登录会话 / the signed-in session',
);
export const SIGNED_OUT = obj({ signedOut: 'boolean' });
export const PASSWORD_CHANGED = obj({ changed: 'boolean' });
export const DIRECTORY = obj(
  {
    configured: 'boolean',
    url: 'string?',
    baseDn: 'string?',
    mappings: list(obj({ groupDn: 'string', role: 'string' })),
  },
  '目录（LDAP/AD）登录与组→角色映射 / directory sign-in and the group → role mapping',
);

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
}

export interface SessionResponse {
  user: SessionUser;
  via: 'session' | 'token';
  authSource: string | null;
  csrfToken: string | null;
  expiresAt: Date | null;
  idleExpiresAt: Date | null;
  idleTimeoutSeconds: number;
}
