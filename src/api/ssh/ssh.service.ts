import { Inject, Injectable } from '@nestjs/common';
import { utils } from 'ssh2';
import { DataSource } from 'typeorm';
import { parseOpenSshPublicKey } from '../../adapters/ssh/host-key';
import { scanHostKey } from '../../adapters/ssh/ssh-client';
import { SecretVault } from '../../infra/secrets';
import { resolveEndpoint, audit } from '../../persistence/ssh-store';
import { resolveTargets } from '../../persistence/jobs/targets';
import { updateReturning } from '../../persistence/sql';
import { Principal } from '../auth/principal';
import { conflict, invalidFields, notFound, unprocessable } from '../common/errors';
import { AcceptHostKeyDto, CreateCredentialDto, ScanHostKeyDto } from './ssh.dto';

export const SECRET_VAULT = Symbol('SecretVault');
const SCAN_TIMEOUT_MS = 8000;

const who = (auth: Principal) => ({ id: auth.userId, name: auth.displayName });

/** Credentials (sealed at rest, never answered back) and pinned host keys (P5). */
@Injectable()
export class SshService {
  constructor(
    private readonly ds: DataSource,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  private mapCredential(r: any) {
    return { id: r.id, name: r.name, username: r.username, kind: r.kind, become: r.become, createdAt: new Date(r.created_at).toISOString() };
  }

  async createCredential(auth: Principal, dto: CreateCredentialDto) {
    const secret = dto.kind === 'password' ? dto.password : dto.privateKey;
    const field = dto.kind === 'password' ? 'password' : 'privateKey';
    if (!secret) throw invalidFields([{ field, zh: `凭据类型为 ${dto.kind} 时必须提供 ${field}`, en: `${field} is required for kind ${dto.kind}` }]);
    if (dto.kind === 'password' && dto.privateKey) throw invalidFields([{ field: 'privateKey', zh: '密码和私钥只能给一个', en: 'give a password or a privateKey, not both' }]);
    if (dto.kind === 'key') {
      const parsed = utils.parseKey(dto.privateKey!, dto.passphrase);
      if (parsed instanceof Error || (Array.isArray(parsed) && !parsed.length)) {
        throw invalidFields([{ field: 'privateKey', zh: '私钥无法读取（格式不对或口令错误）', en: 'privateKey is not a private key ssh2 can read (or the passphrase is wrong)' }]);
      }
    }
    const row = await this.ds.transaction(async (tx) => {
      const [taken] = await tx.query(`SELECT 1 FROM ssh_credentials WHERE name = $1`, [dto.name]);
      if (taken) throw conflict('DUPLICATE', `已有名为 ${dto.name} 的凭据`, `a credential named ${dto.name} exists`, { field: 'name' });
      const ref = await this.vault.store({ kind: dto.kind === 'password' ? 'ssh.password' : 'ssh.private_key', name: `ssh:${dto.name}`, value: secret }, tx);
      const pass = dto.passphrase ? await this.vault.store({ kind: 'ssh.passphrase', name: `ssh:${dto.name}:passphrase`, value: dto.passphrase }, tx) : null;
      const [r] = await tx.query(
        `INSERT INTO ssh_credentials (name, username, kind, secret_id, passphrase_secret_id, become, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [dto.name, dto.username, dto.kind, ref.id, pass?.id ?? null, dto.become ?? 'none', auth.userId],
      );
      return r;
    });
    await audit(this.ds, { actor: who(auth), action: 'credential_created', subjectType: 'ssh_credential', subjectId: row.id, data: { name: dto.name, username: dto.username, kind: dto.kind } });
    return this.mapCredential(row);
  }

  async listCredentials() {
    const rows = await this.ds.query(`SELECT id, name, username, kind, become, created_at FROM ssh_credentials ORDER BY name`);
    return { items: rows.map((r: any) => this.mapCredential(r)) };
  }

  /** host/port from the body, or from a server item (and its jump host, which must already be pinned). */
  private async where(dto: ScanHostKeyDto) {
    if (dto.item) {
      const [t] = await resolveTargets(this.ds, { itemIds: [dto.item] }, 'item');
      const jump = t.jump ? (await resolveEndpoint(this.ds, this.vault, t.jump)).endpoint : undefined;
      return { host: t.address, port: t.port, jump };
    }
    if (!dto.host) throw invalidFields([{ field: 'host', zh: '请给出 item，或 host（及 port）', en: 'give item, or host (and port)' }]);
    return { host: dto.host, port: dto.port ?? 22, jump: undefined };
  }

  private async pinned(host: string, port: number) {
    const [row] = await this.ds.query(`SELECT * FROM ssh_host_keys WHERE host = $1 AND port = $2 AND state = 'accepted'`, [host, port]);
    return row as any;
  }

  private mapKey(r: any) {
    return {
      id: r.id,
      host: r.host,
      port: r.port,
      keyType: r.key_type,
      publicKey: `${r.key_type} ${r.public_key}`,
      fingerprint: r.fingerprint,
      source: r.source,
      state: r.state,
      acceptedBy: r.accepted_by_name,
      acceptedAt: new Date(r.accepted_at).toISOString(),
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    };
  }

  async scan(dto: ScanHostKeyDto) {
    const { host, port, jump } = await this.where(dto);
    let presented;
    try {
      presented = await scanHostKey(host, port, SCAN_TIMEOUT_MS, jump);
    } catch (err) {
      throw unprocessable('HOST_UNREACHABLE', `无法读取 ${host}:${port} 的主机密钥`, `could not read the host key of ${host}:${port}: ${(err as Error).message}`, { field: dto.item ? 'item' : 'host' });
    }
    const pin = await this.pinned(host, port);
    return {
      host,
      port,
      presented: { keyType: presented.type, publicKey: `${presented.type} ${presented.key}`, fingerprint: presented.fingerprint },
      pinned: pin ? this.mapKey(pin) : null,
      status: !pin ? 'not_pinned' : pin.fingerprint === presented.fingerprint ? 'matches' : 'changed',
    };
  }

  /** Pins a key: imported as a public key line, or accepted after a scan by the fingerprint the admin compared. */
  async accept(auth: Principal, dto: AcceptHostKeyDto) {
    if (!!dto.publicKey === !!dto.fingerprint) throw invalidFields([{ field: 'publicKey', zh: 'publicKey（导入）与 fingerprint（接受扫描结果）须且只须给一个', en: 'give publicKey (import) or fingerprint (accept what a scan showed), one of them' }]);
    const { host, port, jump } = await this.where(dto);
    let key;
    let source: 'import' | 'scan';
    if (dto.publicKey) {
      key = parseOpenSshPublicKey(dto.publicKey);
      if (!key) throw invalidFields([{ field: 'publicKey', zh: 'publicKey 须为 OpenSSH 公钥行，如 `ssh-ed25519 AAAA…`', en: 'publicKey must be an OpenSSH public key line such as `ssh-ed25519 AAAA…`' }]);
      source = 'import';
    } else {
      try {
        key = await scanHostKey(host, port, SCAN_TIMEOUT_MS, jump);
      } catch (err) {
        throw unprocessable('HOST_UNREACHABLE', `无法读取 ${host}:${port} 的主机密钥`, `could not read the host key of ${host}:${port}: ${(err as Error).message}`, { field: 'host' });
      }
      if (key.fingerprint !== dto.fingerprint) {
        throw conflict('HOST_KEY_MISMATCH', `${host}:${port} 当前出示的是 ${key.fingerprint}，不是您核对的 ${dto.fingerprint}；请重新扫描`, `${host}:${port} now presents ${key.fingerprint}, not the ${dto.fingerprint} you compared; scan again`, { field: 'fingerprint' });
      }
      source = 'scan';
    }
    return this.ds.transaction(async (tx) => {
      const [old] = await tx.query(`SELECT * FROM ssh_host_keys WHERE host = $1 AND port = $2 AND state = 'accepted' FOR UPDATE`, [host, port]);
      if (old && old.fingerprint === key.fingerprint) return this.mapKey(old);
      if (old && !dto.replace) {
        throw conflict('HOST_KEY_PINNED', `${host}:${port} 已固定密钥 ${old.fingerprint}；如确需更换请设置 replace: true`, `${host}:${port} already has the pinned key ${old.fingerprint}; set replace: true to replace it`, { field: 'replace' });
      }
      if (old) await tx.query(`UPDATE ssh_host_keys SET state = 'revoked', revoked_at = now() WHERE id = $1`, [old.id]);
      const [row] = await tx.query(
        `INSERT INTO ssh_host_keys (host, port, key_type, public_key, fingerprint, source, state, accepted_by, accepted_by_name) VALUES ($1,$2,$3,$4,$5,$6,'accepted',$7,$8) RETURNING *`,
        [host, port, key.type, key.key, key.fingerprint, source, auth.userId, auth.displayName],
      );
      await tx.query(`INSERT INTO ops_audit (actor_id, actor_name, action, subject_type, subject_id, data) VALUES ($1,$2,$3,'ssh_host_key',$4,$5)`, [
        auth.userId,
        auth.displayName,
        old ? 'host_key_replaced' : 'host_key_accepted',
        row.id,
        JSON.stringify({ host, port, fingerprint: key.fingerprint, source, previous: old?.fingerprint ?? null }),
      ]);
      return this.mapKey(row);
    });
  }

  async listKeys(state?: string) {
    const rows = await this.ds.query(`SELECT * FROM ssh_host_keys ${state ? 'WHERE state = $1' : ''} ORDER BY host, port, accepted_at DESC LIMIT 5000`, state ? [state] : []);
    return { items: rows.map((r: any) => this.mapKey(r)) };
  }

  async revoke(auth: Principal, id: string) {
    const [row] = await updateReturning(this.ds, `UPDATE ssh_host_keys SET state = 'revoked', revoked_at = now() WHERE id = $1 AND state = 'accepted' RETURNING *`, [id]);
    if (!row) throw notFound('NOT_FOUND', `没有已固定的主机密钥 ${id}`, `no pinned host key ${id}`, { field: 'id' });
    await audit(this.ds, { actor: who(auth), action: 'host_key_revoked', subjectType: 'ssh_host_key', subjectId: id, data: { host: row.host, port: row.port, fingerprint: row.fingerprint } });
    return this.mapKey(row);
  }
}
