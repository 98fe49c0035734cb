import { INestApplication, Type } from '@nestjs/common';
import { json, urlencoded } from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { authenticateRequest } from '../auth/auth.guard';
import type { SignInConfig } from '../../infra/sign-in-config';
import { toErrorBody } from '../common/errors.filter';
import { ApiError, invalidFields } from '../common/errors';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_JSON_DEPTH, findNul, jsonDepth } from './json-scan';
import { RouteMatcher, matches, publicRoutes } from './public-routes';

/** What the edge reads of Express's request and response (Express 5 under Nest's platform-express). */
type Request = IncomingMessage & { url: string; method: string; path: string; body?: unknown };
type Response = ServerResponse & { status(code: number): Response; json(body: unknown): void };
type NextFunction = (err?: unknown) => void;

/** Bodies are small unless a route needs more (issue 9: the default is ~100 kB; the CMDB import carries a file). */
export const DEFAULT_BODY_LIMIT = '100kb';
export const BODY_LIMITS: { method: string; pattern: RegExp; limit: string }[] = [
  // A workbook as base64 grows by a third: 10 MB of JSON.
  { method: 'POST', pattern: /^\/cmdb\/import\/?$/, limit: '10mb' },
  // Two scripts of up to 200,000 characters each (S4), 3 bytes a character in UTF-8 when they hold Chinese.
  { method: 'POST', pattern: /^\/changes\/?$/, limit: '2mb' },
  { method: 'POST', pattern: /^\/changes\/[^/]+\/revisions\/?$/, limit: '2mb' },
  // P3: an Alertmanager notification carries a whole group's alerts (max_alerts 0); a monitoring source never needs more.
  { method: 'POST', pattern: /^\/alerts(\/alertmanager|\/zabbix)?\/?$/, limit: '1mb' },
];

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

function limitFor(req: Request): string {
  return BODY_LIMITS.find((l) => l.method === req.method && l.pattern.test(req.path))?.limit ?? DEFAULT_BODY_LIMIT;
}

/** Answers at once and closes the connection, so a body nobody will read is not read (nor waited for). */
function refuse(res: Response, err: unknown): void {
  const body = toErrorBody(err);
  res.setHeader('connection', 'close');
  res.status(body.statusCode).json(body);
}

function tooDeep(): Error {
  return Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep', expose: true });
}

/**
 * The API edge, in order: security headers; NUL in the URL refused; for a request with a body to a non-public
 * route, the bearer token (or the session cookie with its CSRF token) checked BEFORE any byte of the body is read (401/403
 * and close); then the body parsed with
 * the route's size limit and a nesting limit, and NUL refused in any string of it.
 */
export function installEdge(app: INestApplication, deps: { dataSource: DataSource; controllers: Type<unknown>[]; signIn: SignInConfig }): void {
  answerParserErrors(app);
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  const open: RouteMatcher[] = publicRoutes(deps.controllers);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // The OpenAPI page, the topology page and the acknowledgement form use inline script and style of their own.
          'script-src': ["'self'", "'unsafe-inline'"],
          'style-src': ["'self'", "'unsafe-inline'", 'https:'],
          'img-src': ["'self'", 'data:'],
          // Served over plain http on a hospital LAN: upgrading would break the pages there.
          'upgrade-insecure-requests': null,
        },
      },
      // Same reason: a browser told to use https for an http-only host would lose it.
      strictTransportSecurity: false,
    }),
  );

  app.use((req: Request, res: Response, next: NextFunction) => {
    // %00 anywhere in the path or query, or a raw NUL: PostgreSQL text cannot hold it (issue 9).
    if (/%00/i.test(req.url) || req.url.includes('\u0000')) {
      return refuse(res, invalidFields([{ field: 'url', zh: '地址或查询参数不能包含 NUL（%00）字符', en: 'the path and query must not contain NUL (%00)' }], 'NUL_CHARACTER'));
    }
    next();
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req) || matches(open, req.method, req.path)) return next();
    authenticateRequest(deps.dataSource, deps.signIn, req).then(
      (principal) => {
        (req as Request & { principal?: unknown }).principal = principal;
        next();
      },
      (err) => refuse(res, err),
    );
  });

  const parsers = new Map<string, ReturnType<typeof json>[]>();
  const parsersFor = (limit: string) => {
    let p = parsers.get(limit);
    if (!p) {
      p = [
        json({
          limit,
          verify: (req: IncomingMessage, _res: ServerResponse, buf: Buffer) => {
            if (jsonDepth(buf, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw tooDeep();
            // Signed webhooks (S15) check their signature over the exact bytes received (Nest's RawBodyRequest).
            (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
          },
        }),
        urlencoded({ limit, extended: false, parameterLimit: 100 }),
      ];
      parsers.set(limit, p);
    }
    return p;
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    const [parseJson, parseForm] = parsersFor(limitFor(req));
    // A body that cannot be read is answered here, in the one error shape (Nest would turn bad JSON into a bare 400).
    parseJson(req, res, (err?: unknown) => (err ? refuse(res, err) : parseForm(req, res, (e?: unknown) => (e ? refuse(res, e) : next()))));
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const field = findNul(req.body);
    if (field) return refuse(res, invalidFields([{ field, zh: `${field} 不能包含 NUL（\\u0000）字符`, en: `${field} must not contain NUL (\\u0000)` }], 'NUL_CHARACTER'));
    next();
  });
}

/**
 * Requests Node's HTTP parser refuses before Express sees them (a URL or headers over 16 kB: 431; malformed: 400)
 * get the same bilingual body as every other error, instead of Node's empty answer.
 */
function answerParserErrors(app: INestApplication): void {
  app.getHttpServer().on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const error = tooLarge
      ? new ApiError(431, 'REQUEST_HEADER_TOO_LARGE', { zh: '请求地址或请求头过长（上限 16 kB）', en: 'the URL or headers are too large (16 kB at most)' })
      : status === 408
        ? new ApiError(408, 'REQUEST_TIMEOUT', { zh: '请求超时', en: 'the request took too long to arrive' })
        : new ApiError(400, 'MALFORMED_REQUEST', { zh: 'HTTP 请求格式错误', en: 'the HTTP request is malformed' });
    const body = JSON.stringify(toErrorBody(error));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
