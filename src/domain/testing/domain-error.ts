import { DomainError } from '../errors';

/** The DomainError `fn` throws, for specs to inspect its code and details; anything else fails the spec. */
export function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}
