/** Typed domain errors: a string code the API edge maps to an HTTP status (STYLE.md, "errors are values with codes"). */
export enum DomainErrorCode {
  InvalidInput = 'INVALID_INPUT',
  IllegalTransition = 'ILLEGAL_TRANSITION',
  UnknownPolicy = 'UNKNOWN_POLICY',
  NotFound = 'NOT_FOUND',
  Forbidden = 'FORBIDDEN',
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function invalidInput(field: string, reason: string): DomainError {
  return new DomainError(DomainErrorCode.InvalidInput, `${field}: ${reason}`, { field, reason });
}
