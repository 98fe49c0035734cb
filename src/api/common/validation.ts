import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationOptions, registerDecorator } from 'class-validator';
import { isIsoInstant } from '../../domain/time';

export interface FieldError {
  field: string;
  reasons: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, reasons: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Whitelisted DTOs: unknown fields are refused, and the error names every field and why. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: fields.map((f) => f.reasons.join('; ')).join('; '),
        errors: fields,
      });
    },
  });
}

/** An ISO-8601 instant that names its zone (`Z` or `+08:00`); a bare local time is ambiguous evidence. */
export function IsIsoInstant(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoInstant',
      target: object.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO-8601 time with a zone, e.g. 2026-11-27T09:30:00+08:00`,
        ...options,
      },
      validator: { validate: (value: unknown) => isIsoInstant(value) },
    });
}
