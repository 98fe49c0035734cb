import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../../persistence/entities';
import { issueToken, revokeToken } from '../../persistence/users-store';
import { Principal } from '../auth/principal';
import { CreateTokenDto, CreateUserDto, UserResponse, mapUser } from './users.dto';
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
    const saved = await this.users.save(
      this.users.create({ username: dto.username, displayName: dto.displayName, roles: dto.roles, phone: dto.phone ?? null, email: dto.email ?? null, active: true }),
    );
    return mapUser(saved);
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
