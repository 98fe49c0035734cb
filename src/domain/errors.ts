/** Typed domain errors: a string code the API edge maps to an HTTP status (STYLE.md, "errors are values with codes"). */
export enum DomainErrorCode {
  InvalidInput = 'INVALID_INPUT',
  IllegalTransition = 'ILLEGAL_TRANSITION',
  UnknownPolicy = 'UNKNOWN_POLICY',
  NotFound = 'NOT_FOUND',
  Forbidden = 'FORBIDDEN',
}

export class DomainError extends Error {
  readonly details: Record<string, unknown>;
  /**
   * `message` is English; `messageZh`, when given, is the zh-CN text people read first. It travels in `details` so
   * it survives a workflow's ApplicationFailure; without it the API edge builds a zh-CN message from the code.
   */
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    messageZh?: string,
  ) {
    super(message);
    this.name = 'DomainError';
    this.details = messageZh === undefined ? details : { ...details, messageZh };
  }
}

export function invalidInput(field: string, reason: string, reasonZh?: string): DomainError {
  return new DomainError(DomainErrorCode.InvalidInput, `${field}: ${reason}`, { field, reason }, reasonZh === undefined ? undefined : `${field}：${reasonZh}`);
}
