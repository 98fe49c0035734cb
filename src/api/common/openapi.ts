import { RequestMethod, Type, applyDecorators } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/decorators';
import { IDEMPOTENT_KEY } from './idempotency';

export class FieldReasonsDto {
  @ApiProperty({ example: 'reporter.name' }) field!: string;
  @ApiProperty({ type: [String], example: ['reporter.name 必须是字符串 / name must be a string'] }) reasons!: string[];
}

/** The body of every 4xx/5xx (BRIEF "Conventions"). */
export class ErrorBodyDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'machine-readable code' }) code!: string;
  @ApiProperty({ example: '请求参数有误：reporter.name 必须是字符串 / invalid input: name must be a string', description: '"<zh-CN> / <English>"' }) message!: string;
  @ApiProperty({ example: '请求参数有误：reporter.name 必须是字符串' }) messageZh!: string;
  @ApiProperty({ example: 'invalid input: name must be a string' }) messageEn!: string;
  @ApiPropertyOptional({ type: [FieldReasonsDto] }) errors?: FieldReasonsDto[];
  @ApiPropertyOptional({ description: 'only on 500: quote it to the administrator' }) correlationId?: string;
}

const ERROR_TEXT: Record<number, string> = {
  400: '请求无效（字段不合法、未知字段、JSON 过深、含 NUL 等）/ invalid input: the errors list names each field',
  401: '未登录或令牌无效 / no valid bearer token',
  403: '角色或范围不允许 / your roles or scope do not allow this',
  404: '记录不存在 / no such record',
  409: '当前状态不允许此操作（含 state 与 allowedActions）/ not allowed in the current state (body names state and allowedActions)',
  410: '已失效（链接已用或已过期）/ gone: the link was used or has expired',
  413: '请求体过大 / body too large',
  422: '引用的记录不存在或业务规则不允许；或 Idempotency-Key 已用于另一个请求 / a referenced record does not exist or a rule refuses it; or the Idempotency-Key was used for another body',
  429: '请求过于频繁 / too many requests: retry later',
};

type Ok = Type<unknown> | [Type<unknown>] | SchemaObject;

export interface ApiOpOptions {
  /** One line, zh-CN then English: `'创建工单 / Open an incident'`. */
  summary: string;
  description?: string;
  /** The success body: a DTO class, `[Dto]` for a list, or a schema object. */
  ok: Ok;
  /** The success body's media type when it is not JSON (text/html, text/csv, a workbook). */
  produces?: string;
  /** The error statuses this operation can answer besides 400 and (unless public) 401/403. */
  errors?: number[];
}

const CJK = /[\u4e00-\u9fff]/;

function okContent(ok: Ok): { type?: Type<unknown> | [Type<unknown>]; schema?: SchemaObject } {
  if (typeof ok === 'function' || Array.isArray(ok)) return { type: ok as Type<unknown> | [Type<unknown>] };
  return { schema: ok };
}

/**
 * One decorator for an operation's documentation: summary (zh-CN / English), success schema with the status Nest
 * answers, and the error responses with the shared error body. Put it ABOVE @Get/@Post, @HttpCode, @Allow/@Public
 * and @Idempotent: decorators apply bottom-up, so it reads what they set; it refuses to start otherwise.
 */
export function ApiOp(o: ApiOpOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;
    const handler = descriptor.value as unknown as object;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) throw new Error(`@ApiOp on ${where} must sit above @Get/@Post/@Put/@Patch/@Delete`);
    const [zh, en] = o.summary.split(' / ');
    if (!zh || !en || !CJK.test(zh)) throw new Error(`@ApiOp on ${where}: summary must read '<zh-CN> / <English>', got '${o.summary}'`);
    const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) === true;
    const hasRoles = Reflect.getMetadata(ROLES_KEY, handler) !== undefined;
    if (!isPublic && !hasRoles) throw new Error(`@ApiOp on ${where} must sit above @Allow(...) or @Public()`);
    const idempotent = Reflect.getMetadata(IDEMPOTENT_KEY, handler) === true;
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
    const errors = new Set<number>([400, ...(isPublic ? [] : [401, 403]), ...(idempotent ? [422] : []), ...(o.errors ?? [])]);
    const ok = okContent(o.ok);
    const decorators = [
      ApiExtraModels(ErrorBodyDto, FieldReasonsDto),
      ApiOperation({ summary: o.summary, description: o.description }),
      o.produces
        ? ApiResponse({ status, description: en, content: { [o.produces]: { schema: ok.schema ?? { type: 'string' } } } })
        : ApiResponse({ status, description: en, ...ok }),
      ...[...errors].sort().map((s) => ApiResponse({ status: s, description: ERROR_TEXT[s] ?? `HTTP ${s}`, schema: { $ref: getSchemaPath(ErrorBodyDto) } })),
    ];
    applyDecorators(...decorators)(target, key, descriptor);
  };
}
