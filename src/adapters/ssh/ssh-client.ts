import { performance } from 'node:perf_hooks';
import { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { Readable } from 'node:stream';
import { PresentedHostKey, describeHostKey } from './host-key';
import { OutputCapture } from './output-capture';

/**
 * The SSH port (P5): one command on one host, agentless, over npm `ssh2`. It never throws for what a host does:
 * every outcome is a result with an error kind, so a failing host is a row in the run, never a crashed job.
 * Host keys are pinned: a host whose key is not pinned yet, or whose key changed, is refused (there is no
 * "accept anything" mode); `scanHostKey` fetches a key for an admin to accept.
 */
export type SshAuth = { kind: 'password'; password: string } | { kind: 'key'; privateKey: string; passphrase?: string };

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  /** `SHA256:…` of the accepted host key; null means not accepted yet, and the connection is refused. */
  pinnedFingerprint: string | null;
}

export const SSH_ERROR_KINDS = ['unreachable', 'auth', 'host_key', 'timeout', 'nonzero_exit', 'error'] as const;
export type SshErrorKind = (typeof SSH_ERROR_KINDS)[number];

export interface CapturedOutput {
  head: string;
  tail: string;
  omittedBytes: number;
  totalBytes: number;
}

export interface HostKeyProblem {
  host: string;
  port: number;
  reason: 'unknown' | 'changed';
  presented: PresentedHostKey;
  expectedFingerprint: string | null;
}

export interface SshRunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  durationMs: number;
  errorKind: SshErrorKind | null;
  errorMessage: string | null;
  hostKeyProblem: HostKeyProblem | null;
}

export interface SshRunOptions {
  /** Handshake and authentication, per hop. */
  connectTimeoutMs: number;
  /** From the moment the command starts until it exits. */
  commandTimeoutMs: number;
  keepaliveIntervalMs?: number;
  /** Bytes kept of each stream's start and end; the middle is counted, not kept. */
  headBytes?: number;
  tailBytes?: number;
  /** Written to the command's standard input, then closed (scripts travel this way, not in the command line). */
  stdin?: string;
  /** A bastion to go through (hospitals keep servers behind one). */
  jump?: SshEndpoint;
}

const EMPTY: CapturedOutput = { head: '', tail: '', omittedBytes: 0, totalBytes: 0 };
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EADDRNOTAVAIL', 'EPIPE']);

class HostKeyRefused extends Error {
  constructor(readonly problem: HostKeyProblem) {
    super(
      problem.reason === 'unknown'
        ? `host key of ${problem.host}:${problem.port} is not accepted yet (${problem.presented.type} ${problem.presented.fingerprint}); an admin must accept or import it`
        : `host key of ${problem.host}:${problem.port} CHANGED: expected ${problem.expectedFingerprint}, got ${problem.presented.fingerprint}; refusing to connect`,
    );
  }
}

class SshFailure extends Error {
  constructor(
    readonly kind: SshErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function classify(err: unknown, endpoint: SshEndpoint, stage: 'connect' | 'command'): SshFailure {
  if (err instanceof SshFailure) return err;
  const e = err as { level?: string; code?: string; message?: string };
  const where = `${endpoint.host}:${endpoint.port}`;
  if (e.level === 'client-authentication') return new SshFailure('auth', `authentication as ${endpoint.username} on ${where} failed`);
  if (e.level === 'client-timeout') return new SshFailure('unreachable', `${where} did not complete the SSH handshake in time`);
  if (e.code && UNREACHABLE_CODES.has(e.code) && stage === 'connect') return new SshFailure('unreachable', `${where} unreachable (${e.code})`);
  if (/connection refused|no route|unreachable|connect failed/i.test(e.message ?? '') && stage === 'connect') return new SshFailure('unreachable', `${where}: ${e.message}`);
  return new SshFailure('error', `${where}: ${e.message ?? String(err)}`);
}

/** Connects one hop; `sock` is a channel forwarded through the previous hop. Resolves when authenticated. */
function connectHop(endpoint: SshEndpoint, options: SshRunOptions, sock: Readable | undefined, onKey: (problem: HostKeyProblem | null) => void): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let keyProblem: HostKeyProblem | null = null;
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      tryKeyboard: false,
      ...(sock ? { sock } : {}),
      ...(endpoint.auth.kind === 'password' ? { password: endpoint.auth.password } : { privateKey: endpoint.auth.privateKey, passphrase: endpoint.auth.passphrase }),
      // Pinning: the one check; there is no setting that turns it off.
      hostVerifier: (key: Buffer) => {
        const presented = describeHostKey(key);
        if (endpoint.pinnedFingerprint === presented.fingerprint) return true;
        keyProblem = {
          host: endpoint.host,
          port: endpoint.port,
          reason: endpoint.pinnedFingerprint === null ? 'unknown' : 'changed',
          presented,
          expectedFingerprint: endpoint.pinnedFingerprint,
        };
        onKey(keyProblem);
        return false;
      },
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (err) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(keyProblem ? new HostKeyRefused(keyProblem) : classify(err, endpoint, 'connect'));
    });
    client.once('close', () => {
      if (settled) return;
      settled = true;
      reject(keyProblem ? new HostKeyRefused(keyProblem) : new SshFailure('unreachable', `${endpoint.host}:${endpoint.port} closed the connection`));
    });
    try {
      client.connect(config);
    } catch (err) {
      settled = true;
      reject(new SshFailure(endpoint.auth.kind === 'key' ? 'auth' : 'error', `cannot use the credential for ${endpoint.host}: ${(err as Error).message}`));
    }
  });
}

function forward(jump: Client, target: SshEndpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    jump.forwardOut('127.0.0.1', 0, target.host, target.port, (err, channel) =>
      err ? reject(new SshFailure('unreachable', `${target.host}:${target.port} unreachable through the jump host: ${err.message}`)) : resolve(channel),
    ),
  );
}

/** Runs `command` on the endpoint (through `options.jump` when given) and reports what happened. */
export async function runSsh(target: SshEndpoint, command: string, options: SshRunOptions): Promise<SshRunResult> {
  const started = performance.now();
  const out = new OutputCapture(options.headBytes ?? 8192, options.tailBytes ?? 8192);
  const err = new OutputCapture(options.headBytes ?? 8192, options.tailBytes ?? 8192);
  const clients: Client[] = [];
  let hostKeyProblem: HostKeyProblem | null = null;
  const done = (partial: Partial<SshRunResult>): SshRunResult => ({
    exitCode: null,
    signal: null,
    stdout: out.total ? out.result() : EMPTY,
    stderr: err.total ? err.result() : EMPTY,
    durationMs: Math.round(performance.now() - started),
    errorKind: null,
    errorMessage: null,
    hostKeyProblem,
    ...partial,
  });
  try {
    let sock: Readable | undefined;
    if (options.jump) {
      const jump = await connectHop(options.jump, options, undefined, (p) => (hostKeyProblem = p));
      clients.push(jump);
      sock = await forward(jump, target);
    }
    const client = await connectHop(target, options, sock, (p) => (hostKeyProblem = p));
    clients.push(client);
    const outcome = await new Promise<{ code: number | null; signal: string | null; timedOut: boolean }>((resolve, reject) => {
      client.exec(command, (execErr, stream) => {
        if (execErr) return reject(classify(execErr, target, 'command'));
        let code: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          // Ask the remote side to stop the command, then drop the session; its shell gets a hang-up.
          try {
            stream.signal('KILL');
          } catch {
            /* signals are optional in the protocol */
          }
          stream.close();
          client.end();
        }, options.commandTimeoutMs);
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => err.push(d));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? null;
        });
        stream.once('close', () => {
          clearTimeout(timer);
          resolve({ code, signal, timedOut });
        });
        client.once('close', () => {
          clearTimeout(timer);
          resolve({ code, signal, timedOut });
        });
        if (options.stdin !== undefined) stream.end(options.stdin);
        else stream.end();
      });
    });
    if (outcome.timedOut) {
      return done({ errorKind: 'timeout', errorMessage: `command ran past its ${options.commandTimeoutMs} ms timeout and was stopped` });
    }
    if (outcome.code === 0) return done({ exitCode: 0 });
    if (outcome.code === null) {
      return done({ signal: outcome.signal, errorKind: 'error', errorMessage: outcome.signal ? `command ended by signal ${outcome.signal}` : 'the session ended without an exit status' });
    }
    return done({ exitCode: outcome.code, errorKind: 'nonzero_exit', errorMessage: `exit code ${outcome.code}` });
  } catch (e) {
    if (e instanceof HostKeyRefused) return done({ errorKind: 'host_key', errorMessage: e.message, hostKeyProblem: e.problem });
    const failure = e instanceof SshFailure ? e : classify(e, target, 'connect');
    return done({ errorKind: failure.kind, errorMessage: failure.message });
  } finally {
    for (const c of clients.reverse()) c.end();
  }
}

/**
 * The key a host presents, for an admin to compare and accept (trust on first use is a person's decision, never
 * automatic). Authentication is not attempted: the handshake stops once the key is seen.
 */
export async function scanHostKey(host: string, port: number, timeoutMs: number, jump?: SshEndpoint): Promise<PresentedHostKey> {
  const probe: SshEndpoint = { host, port, username: 'wardline-keyscan', auth: { kind: 'password', password: '' }, pinnedFingerprint: null };
  const options: SshRunOptions = { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs, jump };
  const result = await runSsh(probe, 'true', options);
  if (result.hostKeyProblem && result.hostKeyProblem.host === host && result.hostKeyProblem.port === port) return result.hostKeyProblem.presented;
  throw new SshFailure(result.errorKind ?? 'error', result.errorMessage ?? `no host key from ${host}:${port}`);
}

export { SshFailure };
