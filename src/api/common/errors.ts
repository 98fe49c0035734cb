import { HttpException } from '@nestjs/common';
import { formatInZone } from '../../domain/time';

/**
 * Errors for people: every 4xx carries a code, a zh-CN message and the English beside it, and the field it
 * concerns. Throw these from services and controllers; the one ErrorsFilter turns them into
 * `{ statusCode, error, code, message: "<zh> / <en>", messageZh, messageEn, errors?: [{ field, reasons }] }`.
 */
export interface Bilingual {
  zh: string;
  en: string;
}

/** One problem with one field; each reason reads "<zh> / <en>". */
export interface FieldReasons {
  field: string;
  reasons: string[];
}

/** A field problem before it is joined: what validation and services report. */
export interface FieldProblem {
  field: string;
  zh: string;
  en: string;
}

export const bilingual = (m: Bilingual): string => `${m.zh} / ${m.en}`;

export const fieldReasons = (problems: FieldProblem[]): FieldReasons[] => {
  const byField = new Map<string, string[]>();
  for (const p of problems) byField.set(p.field, [...(byField.get(p.field) ?? []), bilingual(p)]);
  return [...byField].map(([field, reasons]) => ({ field, reasons }));
};

export interface ApiErrorOptions {
  /** The one field the error concerns: it becomes `errors: [{ field, reasons: [message] }]`. */
  field?: string;
  /** Several fields, each with its reasons (validation). */
  errors?: FieldReasons[];
  /** Extra members of the body a client may act on (e.g. `state`, `allowedActions`). */
  details?: Record<string, unknown>;
}

/** A 4xx with a code and a bilingual message. Nest's HttpException, so guards, pipes and interceptors may throw it too. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly messages: Bilingual,
    readonly extra: ApiErrorOptions = {},
  ) {
    super({ code, message: bilingual(messages), messageZh: messages.zh, messageEn: messages.en }, status);
    this.name = 'ApiError';
  }

  get fieldErrors(): FieldReasons[] | undefined {
    if (this.extra.errors) return this.extra.errors;
    return this.extra.field ? [{ field: this.extra.field, reasons: [bilingual(this.messages)] }] : undefined;
  }
}

const make =
  (status: number) =>
  (code: string, zh: string, en: string, options?: ApiErrorOptions): ApiError =>
    new ApiError(status, code, { zh, en }, options);

export const badRequest = make(400);
export const unauthorized = make(401);
export const forbidden = make(403);
export const notFound = make(404);
export const conflict = make(409);
export const gone = make(410);
export const payloadTooLarge = make(413);
export const unprocessable = make(422);
export const tooManyRequests = make(429);

/** 400 VALIDATION_FAILED listing every field problem: the same shape class-validator failures get. */
export function invalidFields(problems: FieldProblem[], code = 'VALIDATION_FAILED'): ApiError {
  return new ApiError(
    400,
    code,
    { zh: `请求参数有误：${problems.map((p) => `${p.zh}`).join('；')}`, en: `invalid input: ${problems.map((p) => p.en).join('; ')}` },
    { errors: fieldReasons(problems) },
  );
}

/** The records people name in URLs and bodies, for "no such …" errors. */
export const NOUNS = {
  incident: { zh: '工单', en: 'incident' },
  change: { zh: '变更', en: 'change' },
  modification: { zh: '改造需求', en: 'modification request' },
  system: { zh: '业务系统', en: 'business system' },
  vendor: { zh: '厂商', en: 'vendor' },
  contact: { zh: '厂商联系人', en: 'vendor contact' },
  escalation: { zh: '原厂升级', en: 'escalation' },
  user: { zh: '用户', en: 'user' },
  token: { zh: '有效令牌', en: 'active token' },
  item: { zh: '配置项', en: 'configuration item' },
  relation: { zh: '配置项关系', en: 'relation' },
  policy: { zh: 'SLA 策略', en: 'SLA policy' },
  secret: { zh: '密钥', en: 'secret' },
} as const;
export type Noun = keyof typeof NOUNS;

/** 404 NOT_FOUND "没有工单 INC-… / no incident INC-…" naming the field the reference came in. */
export function notFoundRef(noun: Noun, ref: string, field = 'id'): ApiError {
  const n = NOUNS[noun];
  return notFound('NOT_FOUND', `没有${n.zh} ${ref}`, `no ${n.en} ${ref}`, { field });
}

/** 422 for a reference in a body that names nothing: the request is well-formed, its target does not exist. */
export function unknownRef(noun: Noun, ref: string, field: string, code = noun === 'system' ? 'UNKNOWN_SYSTEM' : 'INVALID_INPUT'): ApiError {
  const n = NOUNS[noun];
  return unprocessable(code, `没有${n.zh} ${ref}`, `no ${n.en} ${ref}`, { field });
}

/** Times inside error messages are shown in the contract's zone (Asia/Shanghai by default), never UTC. */
export function errorTime(instant: number, utcOffsetMinutes: number): string {
  return formatInZone(instant, utcOffsetMinutes);
}
