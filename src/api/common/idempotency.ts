import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { ApiHeader } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { Observable, catchError, from, mergeMap, of, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { SecretKey, openSealed, seal } from '../../infra/secrets';
import { updateReturning } from '../../persistence/sql';
import { conflict, invalidFields, unprocessable } from './errors';
import { SECRET_KEY } from './tokens';

export const IDEMPOTENT_KEY = 'wardline:idempotent';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Keys are kept at least this long (issue 15: 24 h), then purged. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A request still pending after this long lost its process (killed mid-request): another may take the key over. */
const ABANDONED_MS = 2 * 60 * 1000;
/** How long a duplicate waits for the first request's answer before a 409. */
const WAIT_MS = 60_000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,200}$/;

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same body. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${url}\n${canonical(body ?? null)}`).digest('hex');
}

type Claim = { kind: 'owner' } | { kind: 'replay'; status: number; body: unknown };

/** The idempotency_keys table: claim a key, complete it with the answer, or release it when the request failed. */
@Injectable()
export class IdempotencyStore {
  private lastPurge = 0;

  constructor(
    private readonly ds: DataSource,
    @Inject(SECRET_KEY) private readonly key: SecretKey,
  ) {}

  private context(caller: string, key: string) {
    return `wardline.idempotency.v1:${caller}:${key}`;
  }

  /** One winner per (caller, key): the INSERT decides; the others replay its answer or wait for it. */
  async claim(caller: string, key: string, fingerprint: string, waitMs = WAIT_MS): Promise<Claim> {
    await this.maybePurge();
    const deadline = Date.now() + waitMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      const inserted = await this.ds.query(
        `INSERT INTO idempotency_keys (caller, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT (caller, key) DO NOTHING RETURNING key`,
        [caller, key, fingerprint],
      );
      if (inserted.length) return { kind: 'owner' };
      const [row] = await this.ds.query(
        `SELECT fingerprint, state, status_code, response, (created_at < now() - $3 * interval '1 millisecond') AS abandoned
           FROM idempotency_keys WHERE caller = $1 AND key = $2`,
        [caller, key, ABANDONED_MS],
      );
      if (!row) continue; // released or purged between the two statements: try to claim again
      if (row.fingerprint !== fingerprint) {
        throw unprocessable(
          'IDEMPOTENCY_KEY_REUSED',
          '此 Idempotency-Key 已用于另一个请求（请求体或地址不同）：请为新请求使用新的键',
          'this Idempotency-Key was used for a different request (another body or path): use a new key for a new request',
          { field: 'Idempotency-Key' },
        );
      }
      if (row.state === 'done') {
        return { kind: 'replay', status: row.status_code, body: JSON.parse(openSealed(this.key.key, row.response, this.context(caller, key)).toString('utf8')) };
      }
      if (row.abandoned) {
        const taken = await updateReturning(
          this.ds,
          `UPDATE idempotency_keys SET created_at = now() WHERE caller = $1 AND key = $2 AND state = 'pending' AND created_at < now() - $3 * interval '1 millisecond' RETURNING key`,
          [caller, key, ABANDONED_MS],
        );
        if (taken.length) return { kind: 'owner' };
      }
      if (Date.now() > deadline) {
        throw conflict('IDEMPOTENCY_IN_PROGRESS', '使用此 Idempotency-Key 的请求仍在处理中，请稍后重试', 'a request with this Idempotency-Key is still being processed; retry later', {
          field: 'Idempotency-Key',
        });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  async complete(caller: string, key: string, status: number, body: unknown): Promise<void> {
    const sealed = seal(this.key.key, JSON.stringify(body ?? null), this.context(caller, key));
    await this.ds.query(`UPDATE idempotency_keys SET state = 'done', status_code = $3, response = $4, completed_at = now() WHERE caller = $1 AND key = $2`, [
      caller,
      key,
      status,
      sealed,
    ]);
  }

  /** A failed request leaves no trace: the same key may be retried (errors are not replayed). */
  async release(caller: string, key: string): Promise<void> {
    await this.ds.query(`DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND state = 'pending'`, [caller, key]);
  }

  async purge(olderThanMs = IDEMPOTENCY_RETENTION_MS): Promise<number> {
    return (await updateReturning(this.ds, `DELETE FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond' RETURNING key`, [olderThanMs])).length;
  }

  private async maybePurge(): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    await this.purge();
  }
}

interface Req {
  method: string;
  originalUrl: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  principal?: { userId: string };
  ip?: string;
}

/**
 * `Idempotency-Key` on a create route: same key + same body + same caller → the first answer again (status and
 * body); same key + another body → 422; concurrent duplicates create one thing (the later ones wait and replay).
 * Runs after the guard (so the caller is known) and before validation (a refused body releases the key).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<Req>();
    const res = http.getResponse<{ setHeader(name: string, value: string): void; status(code: number): void }>();
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return next.handle();
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY.test(key)) {
      throw invalidFields([
        { field: 'Idempotency-Key', zh: 'Idempotency-Key 须为 1–200 个可见 ASCII 字符', en: 'Idempotency-Key must be 1–200 visible ASCII characters' },
      ]);
    }
    const caller = req.principal?.userId ?? `anonymous:${req.ip ?? ''}`;
    const claim = await this.store.claim(caller, key, requestFingerprint(req.method, req.originalUrl, req.body));
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(claim.status);
      return of(claim.body);
    }
    return next.handle().pipe(
      mergeMap((body) => from(this.store.complete(caller, key, successStatus(ctx), body).then(() => body))),
      catchError((err) => from(this.store.release(caller, key)).pipe(mergeMap(() => throwError(() => err)))),
    );
  }
}

/** The status Nest will answer with: @HttpCode, else 201 for POST and 200 otherwise. */
function successStatus(ctx: ExecutionContext): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler());
  if (typeof code === 'number') return code;
  return ctx.switchToHttp().getRequest<Req>().method === 'POST' ? 201 : 200;
}

/** Marks a create route: `Idempotency-Key` is honoured and documented. */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: '幂等键：相同键与相同请求体在 24 小时内返回首次结果 / same key and body within 24 h replay the first answer; another body → 422',
    }),
  );
