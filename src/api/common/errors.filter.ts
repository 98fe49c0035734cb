import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { DomainError, DomainErrorCode } from '../../domain/errors';
import { actionZh, stateZh } from './error-labels';
import { ApiError, Bilingual, FieldReasons, bilingual } from './errors';

/** The one error body every route answers with (BRIEF "Conventions"). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  messageZh: string;
  messageEn: string;
  errors?: FieldReasons[];
  [key: string]: unknown;
}

/** zh-CN for errors that carry only English (Nest's own, the body parser's, the throttler's). */
const STATUS_ZH: Record<number, string> = {
  400: '请求无效',
  401: '未登录或令牌无效',
  403: '无权执行此操作',
  404: '未找到',
  405: '不支持此方法',
  406: '无法提供所需的格式',
  408: '请求超时',
  409: '与当前状态冲突',
  410: '已失效',
  411: '缺少 Content-Length',
  413: '请求体过大',
  414: '请求地址过长',
  415: '不支持的内容类型',
  422: '无法处理的请求',
  429: '请求过于频繁，请稍后再试',
  431: '请求头过大',
};

const STATUS_CODE: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'TOO_MANY_REQUESTS' };

/** Errors of the body parser (http-errors' `type`), in words people read. */
const BODY_PARSER: Record<string, { code: string; zh: string }> = {
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', zh: '请求体过大' },
  'entity.parse.failed': { code: 'INVALID_JSON', zh: '请求体不是有效的 JSON' },
  'entity.too.deep': { code: 'JSON_TOO_DEEP', zh: 'JSON 嵌套层级过深（最多 32 层）' },
  'encoding.unsupported': { code: 'UNSUPPORTED_ENCODING', zh: '不支持的内容编码' },
  'charset.unsupported': { code: 'UNSUPPORTED_CHARSET', zh: '不支持的字符集' },
  'request.aborted': { code: 'REQUEST_ABORTED', zh: '请求被中断' },
  'request.size.invalid': { code: 'INVALID_CONTENT_LENGTH', zh: '请求体长度与 Content-Length 不符' },
  'entity.verify.failed': { code: 'INVALID_BODY', zh: '请求体无效' },
};

const reasonOf = (status: number) => STATUS_CODES[status] ?? 'Error';

function body(status: number, code: string, m: Bilingual, extra: { errors?: FieldReasons[]; details?: Record<string, unknown> } = {}): ErrorBody {
  return {
    ...(extra.details ?? {}),
    statusCode: status,
    error: reasonOf(status),
    code,
    message: bilingual(m),
    messageZh: m.zh,
    messageEn: m.en,
    ...(extra.errors?.length ? { errors: extra.errors } : {}),
  };
}

const list = (v: unknown) => (Array.isArray(v) && v.length ? v.map(actionZh).join('、') : '无');

/** Domain rules (and workflow Update validators) fail with a code; this is where a code becomes HTTP and zh-CN. */
function fromDomain(code: string, en: string, rawDetails: Record<string, unknown>): ErrorBody {
  const { messageZh, ...details } = rawDetails;
  const zhGiven = typeof messageZh === 'string' ? messageZh : null;
  const c = code as DomainErrorCode;
  switch (c) {
    case DomainErrorCode.InvalidInput: {
      const field = String(details.field ?? 'body');
      const zh = zhGiven ?? `${field} 取值无效`;
      const reason = String(details.reason ?? en);
      return body(400, code, { zh, en }, { errors: [{ field, reasons: [bilingual({ zh, en: reason })] }], details: omit(details, ['field', 'reason']) });
    }
    case DomainErrorCode.IllegalTransition: {
      const state = details.state ?? details.status;
      const zh =
        zhGiven ??
        `${state === undefined ? '当前状态不允许此操作' : `当前状态（${stateZh(state)}）不允许此操作`}${details.allowedActions !== undefined ? `；可执行：${list(details.allowedActions)}` : ''}`;
      return body(409, code, { zh, en }, { details });
    }
    case DomainErrorCode.UnknownPolicy: {
      const field = String(details.field ?? 'policyVersion');
      const zh = zhGiven ?? '未知的 SLA 策略版本';
      return body(422, code, { zh, en }, { errors: [{ field, reasons: [bilingual({ zh, en })] }], details });
    }
    case DomainErrorCode.Forbidden:
      return body(403, code, { zh: zhGiven ?? '无权执行此操作', en }, { details });
    case DomainErrorCode.NotFound:
      return body(404, code, { zh: zhGiven ?? '未找到', en }, { details });
    default: {
      const unreachable: never = c;
      return body(500, String(unreachable), { zh: '服务器内部错误', en });
    }
  }
}

function omit(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** One filter maps every error to a JSON body for people; unknown errors become a 500 with a correlation id only. */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ headersSent?: boolean; status(code: number): { json(body: unknown): void } }>();
    const b = toErrorBody(exception, this.logger);
    if (res.headersSent) return;
    res.status(b.statusCode).json(b);
  }
}

/** Exported for the edge middlewares that answer before Nest's router (body size, depth, NUL). */
export function toErrorBody(exception: unknown, logger?: Logger): ErrorBody {
  if (exception instanceof ApiError) {
    return body(exception.getStatus(), exception.code, exception.messages, { errors: exception.fieldErrors, details: exception.extra.details });
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const r = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : { message: String(response) };
    const en = Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? exception.message);
    const zh = typeof r.messageZh === 'string' ? r.messageZh : (STATUS_ZH[status] ?? reasonOf(status));
    const code = String(r.code ?? STATUS_CODE[status] ?? `HTTP_${status}`);
    const errors = typeof r.field === 'string' ? [{ field: r.field, reasons: [bilingual({ zh, en })] }] : undefined;
    if (status >= 500) return internal(exception, logger);
    return body(status, code, { zh, en: typeof r.messageEn === 'string' ? r.messageEn : en }, { errors });
  }
  if (exception instanceof DomainError) return fromDomain(exception.code, exception.message, exception.details);
  if (exception instanceof WorkflowUpdateFailedError && exception.cause instanceof ApplicationFailure) {
    const failure = exception.cause;
    const details = (failure.details?.[0] ?? {}) as Record<string, unknown>;
    if (failure.type && Object.values(DomainErrorCode).includes(failure.type as DomainErrorCode)) {
      return fromDomain(failure.type, failure.message, details);
    }
  }
  // Errors of the body parser (http-errors): a body too large is a 413, bad JSON a 400, never a 500.
  const httpError = exception as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
    const known = BODY_PARSER[String(httpError.type)];
    const status = httpError.status;
    return body(status, known?.code ?? STATUS_CODE[status] ?? `HTTP_${status}`, { zh: known?.zh ?? STATUS_ZH[status] ?? reasonOf(status), en: String(httpError.message) });
  }
  if (exception instanceof WorkflowNotFoundError) {
    return body(404, 'NOT_FOUND', { zh: '此记录没有运行中的流程', en: 'no running process for this record' });
  }
  return internal(exception, logger);
}

function internal(exception: unknown, logger?: Logger): ErrorBody {
  const correlationId = randomUUID();
  logger?.error(`[${correlationId}] ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
  return { ...body(500, 'INTERNAL', { zh: '服务器内部错误，请联系管理员并提供关联编号', en: 'unexpected error; give the administrator the correlation id' }), correlationId };
}
