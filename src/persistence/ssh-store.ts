import { DataSource } from 'typeorm';
import type { SshEndpoint } from '../adapters/ssh/ssh-client';
import type { Become } from '../adapters/ssh/script';
import type { SecretVault } from '../infra/secrets';

/** Where a run's host is reached: its address and the credential to use (by id), optionally through a jump host. */
export interface HostAccess {
  address: string;
  port: number;
  credentialId: string;
}

export interface ResolvedEndpoint {
  endpoint: SshEndpoint;
  become: Become;
}

/** The endpoint with its secret opened and its pinned key, for the activity that connects; never leaves the worker. */
export async function resolveEndpoint(ds: DataSource, vault: SecretVault, access: HostAccess): Promise<ResolvedEndpoint> {
  const [cred] = await ds.query(`SELECT username, kind, secret_id, passphrase_secret_id, become FROM ssh_credentials WHERE id = $1`, [access.credentialId]);
  if (!cred) throw new Error(`credential ${access.credentialId} no longer exists`);
  const [pin] = await ds.query(`SELECT fingerprint FROM ssh_host_keys WHERE host = $1 AND port = $2 AND state = 'accepted'`, [access.address, access.port]);
  const secret = await vault.read(cred.secret_id);
  return {
    become: cred.become,
    endpoint: {
      host: access.address,
      port: access.port,
      username: cred.username,
      auth: cred.kind === 'password' ? { kind: 'password', password: secret } : { kind: 'key', privateKey: secret, passphrase: cred.passphrase_secret_id ? await vault.read(cred.passphrase_secret_id) : undefined },
      pinnedFingerprint: pin?.fingerprint ?? null,
    },
  };
}

export async function audit(
  ds: Pick<DataSource, 'query'>,
  entry: { actor: { id: string | null; name: string }; action: string; subjectType: string; subjectId: string; data?: Record<string, unknown> },
): Promise<void> {
  await ds.query(`INSERT INTO ops_audit (actor_id, actor_name, action, subject_type, subject_id, data) VALUES ($1, $2, $3, $4, $5, $6)`, [
    entry.actor.id,
    entry.actor.name,
    entry.action,
    entry.subjectType,
    entry.subjectId,
    JSON.stringify(entry.data ?? {}),
  ]);
}
