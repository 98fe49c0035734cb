import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../../persistence/entities';
import { issueToken, revokeToken } from '../../persistence/users-store';
import { Principal } from '../auth/principal';
import { CreateTokenDto, CreateUserDto, SetPasswordDto, UpdateUserDto, UserResponse, mapUser } from './users.dto';
import { hashPassword } from '../../infra/passwords';
import { endSessionsOf } from '../auth/sessions';
import { conflict, notFoundRef } from '../common/errors';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly ds: DataSource,
  ) {}

  async list(): Promise<UserResponse[]> {
    return (await this.users.find({ order: { username: 'ASC' } })).map(mapUser);
  }

  async create(_auth: Principal, dto: CreateUserDto): Promise<UserResponse> {
    if (await this.users.existsBy({ username: dto.username })) {
      throw conflict('DUPLICATE', `用户名 ${dto.username} 已被占用`, `username ${dto.username} is taken`, { field: 'username' });
    }
    const passwordHash = dto.password ? await hashPassword(dto.password) : null;
    const saved = await this.users.save(
      this.users.create({ username: dto.username, displayName: dto.displayName, roles: dto.roles, phone: dto.phone ?? null, email: dto.email ?? null, active: true, authSource: 'local', passwordHash }),
    );
    return mapUser(await this.get(saved.id));
  }

  /** Roles, names and deactivation (issue 16's users page). A directory account's roles follow its groups. */
  async update(auth: Principal, id: string, dto: UpdateUserDto): Promise<UserResponse> {
    const user = await this.get(id);
    if (dto.roles && user.authSource === 'directory') {
      throw conflict('DIRECTORY_ACCOUNT', '目录账号的角色来自目录组映射，请修改映射', "a directory account's roles come from the group mapping: change the mapping", { field: 'roles' });
    }
    if (user.id === auth.userId && (dto.active === false || (dto.roles && !dto.roles.includes('admin') && user.roles.includes('admin')))) {
      throw conflict('SELF_LOCKOUT', '不能停用自己或去掉自己的管理员角色', 'you cannot deactivate yourself or drop your own admin role', { field: dto.active === false ? 'active' : 'roles' });
    }
    await this.users.update(id, {
      ...(dto.displayName !== undefined ? { displayName: dto.displayName } : {}),
      ...(dto.roles !== undefined ? { roles: dto.roles } : {}),
      ...(dto.active !== undefined ? { active: dto.active } : {}),
      ...(dto.phone !== undefined ? { phone: dto.phone } : {}),
      ...(dto.email !== undefined ? { email: dto.email } : {}),
    });
    // New roles or a deactivation take effect at once: sessions hold no copy of roles, but end them on deactivation.
    if (dto.active === false) await endSessionsOf(this.ds, id, 'deactivated');
    return mapUser(await this.get(id));
  }

  async setPassword(_auth: Principal, id: string, dto: SetPasswordDto): Promise<{ id: string; passwordSet: true }> {
    const user = await this.get(id);
    if (user.authSource === 'directory') throw conflict('DIRECTORY_ACCOUNT', '目录账号的密码在医院目录（AD/LDAP）中设置', 'a directory account has its password in the hospital directory (AD/LDAP)');
    await this.ds.query(`UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`, [id, await hashPassword(dto.password)]);
    await this.ds.query(`DELETE FROM sign_in_failures WHERE username = $1`, [user.username]);
    await endSessionsOf(this.ds, id, 'password_set');
    return { id, passwordSet: true };
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw notFoundRef('user', id);
    return user;
  }

  async createToken(_auth: Principal, userId: string, dto: CreateTokenDto) {
    const user = await this.get(userId);
    const issued = await issueToken(this.ds, user.id, dto.name, { expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null });
    return { id: issued.id, token: issued.token, prefix: issued.prefix, userId: user.id, name: dto.name, expiresAt: dto.expiresAt ?? null };
  }

  async listTokens(userId: string) {
    await this.get(userId);
    const rows = await this.ds.query(
      `SELECT id, name, token_prefix, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id,
      name: r.name,
      prefix: r.token_prefix,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  async revoke(_auth: Principal, tokenId: string): Promise<{ id: string; revoked: true }> {
    if (!(await revokeToken(this.ds, tokenId))) {
      throw notFoundRef('token', tokenId);
    }
    return { id: tokenId, revoked: true };
  }
}
