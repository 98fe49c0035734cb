import { INestApplication, Type } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import express from 'express';
import { apiRoutes } from './public-routes';

type Request = IncomingMessage & { path: string; method: string; url: string };
type Response = ServerResponse & { redirect(status: number, url: string): void };
type NextFunction = (err?: unknown) => void;

/** web/dist of this checkout, from src/api/edge (ts-jest) or dist/src/api/edge (compiled). */
export function defaultConsoleDir(): string | null {
  const candidates = [resolve(__dirname, '..', '..', '..', 'web', 'dist'), resolve(__dirname, '..', '..', '..', '..', 'web', 'dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Wardline</title>
<body style="font-family:sans-serif;margin:3em"><h1>控制台尚未构建 / The console is not built</h1>
<p>运行 <code>npm run build</code>（<code>npm start</code> 会自动构建）。/ Run <code>npm run build</code> (<code>npm start</code> does it).</p>
<p><a href="/docs">API 文档 / API documentation</a></p></body></html>`;

/**
 * The web console (issue 16), served by the API process: `/` is the page, `/assets/*` its hashed files (cached for a
 * year; the page itself never). The console routes in the URL's fragment (`/#/incidents/…`), so it never shadows an
 * API route; a person who types a console path without the `#` (`/board`) is redirected to it, but only when no API
 * route has that path and the browser asked for a page (Accept: text/html), so `/docs`, `/health` and every API
 * answer stay as they are.
 */
export function installConsole(app: INestApplication, deps: { dir: string | null; controllers: Type<unknown>[] }): void {
  const dir = deps.dir && existsSync(join(deps.dir, 'index.html')) ? deps.dir : null;
  const routes = apiRoutes(deps.controllers);
  const isApi = (path: string) => routes.some((r) => r.pattern.test(path)) || /^\/(docs|docs-json|health|metrics)(\/|$)/.test(path);
  let index: Buffer | null = null;
  const page = () => (index ??= dir ? readFileSync(join(dir, 'index.html')) : Buffer.from(NOT_BUILT));

  if (dir) {
    app.use('/assets', express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  }
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/' || req.path === '/index.html') {
      res.statusCode = 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-cache');
      return void res.end(req.method === 'HEAD' ? undefined : page());
    }
    const wantsPage = String(req.headers.accept ?? '').includes('text/html');
    if (wantsPage && /^\/[a-z0-9/_-]*$/i.test(req.path) && !req.path.startsWith('/assets/') && !isApi(req.path)) {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      return res.redirect(302, `/#${req.path}${query}`);
    }
    next();
  });
}
