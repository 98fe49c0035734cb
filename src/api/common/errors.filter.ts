import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { DomainError, DomainErrorCode } from '../../domain/errors';

interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  [key: string]: unknown;
}

function fromDomain(code: string, message: string, details: Record<string, unknown>): ErrorBody {
  const c = code as DomainErrorCode;
  switch (c) {
    case DomainErrorCode.InvalidInput:
      return { statusCode: 400, error: 'Bad Request', code, message, errors: [{ field: details.field, reasons: [details.reason ?? message] }] };
    case DomainErrorCode.IllegalTransition:
      return { statusCode: 409, error: 'Conflict', code, message, ...details };
    case DomainErrorCode.UnknownPolicy:
      return { statusCode: 422, error: 'Unprocessable Entity', code, message, ...details, errors: [{ field: details.field, reasons: [message] }] };
    case DomainErrorCode.Forbidden:
      return { statusCode: 403, error: 'Forbidden', code, message, ...details };
    case DomainErrorCode.NotFound:
      return { statusCode: 404, error: 'Not Found', code, message, ...details };
    default: {
      const unreachable: never = c;
      return { statusCode: 500, error: 'Internal Server Error', code: String(unreachable), message };
    }
  }
}

/** One filter maps every error to a JSON body for people; unknown errors become a 500 with a correlation id only. */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    const body = this.toBody(exception);
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const reason = STATUS_CODES[status] ?? exception.name;
      if (typeof response === 'object' && response !== null) {
        const r = response as Record<string, unknown>;
        const message = Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? exception.message);
        // Errors that name one field get the same `errors` list validation failures carry.
        const errors = r.errors ?? (typeof r.field === 'string' ? [{ field: r.field, reasons: [message] }] : undefined);
        return { ...r, statusCode: status, error: reason, code: String(r.code ?? `HTTP_${status}`), message, ...(errors ? { errors } : {}) };
      }
      return { statusCode: status, error: reason, code: `HTTP_${status}`, message: String(response) };
    }
    if (exception instanceof DomainError) return fromDomain(exception.code, exception.message, exception.details);
    if (exception instanceof WorkflowUpdateFailedError && exception.cause instanceof ApplicationFailure) {
      const failure = exception.cause;
      const details = (failure.details?.[0] ?? {}) as Record<string, unknown>;
      if (failure.type && Object.values(DomainErrorCode).includes(failure.type as DomainErrorCode)) {
        return fromDomain(failure.type, failure.message, details);
      }
    }
    // Errors of the body parser (http-errors): a body too large is a 413, not a 500.
    const httpError = exception as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
    if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
      return { statusCode: httpError.status, error: STATUS_CODES[httpError.status] ?? 'Client Error', code: String(httpError.type ?? `HTTP_${httpError.status}`), message: String(httpError.message) };
    }
    if (exception instanceof WorkflowNotFoundError) {
      return { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'no running process for this record' };
    }
    const correlationId = randomUUID();
    this.logger.error(`[${correlationId}] ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    return { statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'unexpected error', correlationId };
  }
}
