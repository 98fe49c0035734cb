import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { PUBLIC_KEY } from '../auth/decorators';

export interface RouteMatcher {
  method: string;
  pattern: RegExp;
}

const paths = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [v === undefined ? '' : String(v)]);

function toPattern(parts: string[]): RegExp {
  const path = `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
  return new RegExp(`^${source}/?$`);
}

/** The routes marked @Public(), read from the controllers' metadata, so the edge can tell them before routing. */
export function publicRoutes(controllers: Type<unknown>[]): RouteMatcher[] {
  return routesOf(controllers, (fn) => Reflect.getMetadata(PUBLIC_KEY, fn) === true);
}

/** Every route of the controllers (the console's fallback must never answer for one of them). */
export function apiRoutes(controllers: Type<unknown>[]): RouteMatcher[] {
  return routesOf(controllers, () => true);
}

function routesOf(controllers: Type<unknown>[], keep: (fn: object) => boolean): RouteMatcher[] {
  const found: RouteMatcher[] = [];
  for (const ctrl of controllers) {
    const base = paths(Reflect.getMetadata(PATH_METADATA, ctrl));
    for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
      const fn = (ctrl.prototype as Record<string, unknown>)[name];
      if (typeof fn !== 'function' || name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, fn) === undefined || !keep(fn)) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod] ?? 'GET';
      for (const b of base) for (const p of paths(Reflect.getMetadata(PATH_METADATA, fn))) found.push({ method, pattern: toPattern([b, p]) });
    }
  }
  return found;
}

export const matches = (routes: RouteMatcher[], method: string, path: string) =>
  routes.some((r) => (r.method === method || r.method === 'ALL') && r.pattern.test(path));
