import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { invalidFields } from './errors';
import { isUuid } from './refs';

/** A path or query parameter that must be a UUID: 400 naming the parameter, in zh-CN and English. */
@Injectable()
export class ParseUuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, meta: ArgumentMetadata): string {
    const field = meta.data ?? 'id';
    if (typeof value !== 'string' || !isUuid(value)) throw invalidFields([{ field, zh: `${field} 必须是 UUID`, en: `${field} must be a UUID` }]);
    return value;
  }
}

/** A path parameter that must be a whole number within bounds (years, versions). */
export class ParseBoundedIntPipe implements PipeTransform<unknown, number> {
  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  transform(value: unknown, meta: ArgumentMetadata): number {
    const field = meta.data ?? 'value';
    // The global ValidationPipe may already have turned the text into a number.
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < this.min || n > this.max) {
      throw invalidFields([{ field, zh: `${field} 必须是 ${this.min}–${this.max} 之间的整数`, en: `${field} must be a whole number from ${this.min} to ${this.max}` }]);
    }
    return n;
  }
}
