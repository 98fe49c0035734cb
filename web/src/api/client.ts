import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.gen';

/**
 * The console's only way to the API (issue 16: no back door): the public routes, typed from the OpenAPI document
 * (schema.gen.ts is generated at build by `npm run gen:api`). The browser sends the httpOnly session cookie itself;
 * every change carries the session's CSRF token as X-CSRF-Token, and a create carries an Idempotency-Key so a retried
 * click opens one incident, not two.
 */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Told when the API answers 401 to a signed-in page: the session ended (idle, absolute limit, signed out elsewhere). */
type ExpiryListener = (code: string) => void;
const expiryListeners = new Set<ExpiryListener>();
export function onSessionExpired(listener: ExpiryListener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * When the person last used the page (a key, a click, a touch). A read made more than a minute after that is the
 * page refreshing by itself: it says so (X-Wardline-Background), and the API does not count it as use, so the idle
 * timeout still ends a session left open on an unattended screen.
 */
let lastInteraction = Date.now();
for (const kind of ['pointerdown', 'keydown', 'touchstart', 'wheel']) {
  window.addEventListener(kind, () => (lastInteraction = Date.now()), { capture: true, passive: true });
}
const IDLE_AFTER_MS = 60_000;

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (SAFE.has(request.method) && Date.now() - lastInteraction > IDLE_AFTER_MS) request.headers.set('X-Wardline-Background', '1');
    if (!SAFE.has(request.method)) {
      if (csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', crypto.randomUUID());
    }
    return request;
  },
  async onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && path !== '/auth/sign-in' && path !== '/auth/session') {
      const body = (await response.clone().json().catch(() => ({}))) as { code?: string };
      for (const l of expiryListeners) l(body.code ?? 'UNAUTHORIZED');
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sessionMiddleware);

/** The API's one error shape (src/api/common/errors.ts): a code, the message in Chinese and English, the fields. */
export interface ApiErrorBody {
  statusCode?: number;
  code?: string;
  messageZh?: string;
  messageEn?: string;
  message?: string;
  errors?: { field: string; messageZh?: string; messageEn?: string; message?: string }[];
  allowedActions?: string[];
  state?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.messageEn ?? body.message ?? `HTTP ${status}`);
  }
}

/** The data of an openapi-fetch answer, or an ApiFailure carrying the API's error body. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw new ApiFailure(response.status, (error ?? {}) as ApiErrorBody);
  return data;
}
