import { ConflictException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { utils } from 'ssh2';
import { DataSource } from 'typeorm';
import { parseOpenSshPublicKey } from '../../adapters/ssh/host-key';
import { scanHostKey } from '../../adapters/ssh/ssh-client';
import { SecretVault } from '../../infra/secret-box';
import { resolveEndpoint, audit } from '../../persistence/ssh-store';
import { resolveTargets } from '../../persistence/jobs/targets';
import { updateReturning } from '../../persistence/sql';
import { Principal } from '../auth/principal';
import { invalid } from '../cmdb/cmdb.service';
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
    if (!secret) throw invalid([{ field: dto.kind === 'password' ? 'password' : 'privateKey', reason: `${dto.kind === 'password' ? 'password' : 'privateKey'} is required for kind ${dto.kind}` }]);
    if (dto.kind === 'password' && dto.privateKey) throw invalid([{ field: 'privateKey', reason: 'give a password or a privateKey, not both' }]);
    if (dto.kind === 'key') {
      const parsed = utils.parseKey(dto.privateKey!, dto.passphrase);
      if (parsed instanceof Error || (Array.isArray(parsed) && !parsed.length)) throw invalid([{ field: 'privateKey', reason: 'privateKey is not a private key ssh2 can read (or the passphrase is wrong)' }]);
    }
    const [row] = await this.ds.query(
      `INSERT INTO ssh_credentials (name, username, kind, sealed_secret, sealed_passphrase, become, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING *`,
      [dto.name, dto.username, dto.kind, this.vault.seal(secret), dto.passphrase ? this.vault.seal(dto.passphrase) : null, dto.become ?? 'none', auth.userId],
    );
    if (!row) throw new ConflictException({ code: 'DUPLICATE', message: `a credential named ${dto.name} exists`, field: 'name' });
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
    if (!dto.host) throw invalid([{ field: 'host', reason: 'give item, or host (and port)' }]);
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
      throw new UnprocessableEntityException({ code: 'HOST_UNREACHABLE', message: `could not read the host key of ${host}:${port}: ${(err as Error).message}`, field: dto.item ? 'item' : 'host' });
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
    if (!!dto.publicKey === !!dto.fingerprint) throw invalid([{ field: 'publicKey', reason: 'give publicKey (import) or fingerprint (accept what a scan showed), one of them' }]);
    const { host, port, jump } = await this.where(dto);
    let key;
    let source: 'import' | 'scan';
    if (dto.publicKey) {
      key = parseOpenSshPublicKey(dto.publicKey);
      if (!key) throw invalid([{ field: 'publicKey', reason: 'publicKey must be an OpenSSH public key line such as `ssh-ed25519 AAAA…`' }]);
      source = 'import';
    } else {
      try {
        key = await scanHostKey(host, port, SCAN_TIMEOUT_MS, jump);
      } catch (err) {
        throw new UnprocessableEntityException({ code: 'HOST_UNREACHABLE', message: `could not read the host key of ${host}:${port}: ${(err as Error).message}`, field: 'host' });
      }
      if (key.fingerprint !== dto.fingerprint) {
        throw new ConflictException({ code: 'HOST_KEY_MISMATCH', message: `${host}:${port} now presents ${key.fingerprint}, not the ${dto.fingerprint} you compared; scan again`, field: 'fingerprint' });
      }
      source = 'scan';
    }
    return this.ds.transaction(async (tx) => {
      const [old] = await tx.query(`SELECT * FROM ssh_host_keys WHERE host = $1 AND port = $2 AND state = 'accepted' FOR UPDATE`, [host, port]);
      if (old && old.fingerprint === key.fingerprint) return this.mapKey(old);
      if (old && !dto.replace) {
        throw new ConflictException({ code: 'HOST_KEY_PINNED', message: `${host}:${port} already has the pinned key ${old.fingerprint}; set replace: true to replace it`, field: 'replace' });
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
    if (!row) throw new NotFoundException({ code: 'NOT_FOUND', message: `no pinned host key ${id}`, field: 'id' });
    await audit(this.ds, { actor: who(auth), action: 'host_key_revoked', subjectType: 'ssh_host_key', subjectId: id, data: { host: row.host, port: row.port, fingerprint: row.fingerprint } });
    return this.mapKey(row);
  }
}
