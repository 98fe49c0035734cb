import { ValidationError, ValidationPipe, applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsObject, ValidateNested, ValidationOptions, registerDecorator } from 'class-validator';
import { isValidEmail, isValidPhone, isValidRobotKey, isValidWebhookUrl } from '../../adapters/notify/validate';
import { isIsoInstant } from '../../domain/time';
import { FieldProblem, invalidFields } from './errors';
import { zhReason } from './validation-messages';

/** Every failed constraint as a bilingual problem of its field's path (`reporter.name`, `objects.0.type`). */
export function validationProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, en]) => ({ field, zh: zhReason(field, constraint, e.target, e.property), en }));
    return [...own, ...validationProblems(e.children ?? [], field)];
  });
}

/** Whitelisted DTOs: unknown fields are refused, and the error names every field and why, in zh-CN and English. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // The target is kept so the zh-CN reasons can read the decorators' bounds; it never reaches the response.
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => invalidFields(validationProblems(errors)),
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

function predicate(name: string, test: (value: unknown) => boolean, message: (property: string) => string) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (object: object, propertyName: string | symbol) =>
      registerDecorator({
        name,
        target: object.constructor,
        propertyName: String(propertyName),
        options: { message: message(String(propertyName)), ...options },
        validator: { validate: (value: unknown) => test(value) },
      });
}

/** Contact data is checked by the same rules the notification channels use. */
export const IsContactPhone = predicate('isContactPhone', isValidPhone, (p) => `${p} must be a mobile, landline (with area code or extension), 400/800 or internal number`);
export const IsContactEmail = predicate('isContactEmail', isValidEmail, (p) => `${p} must be an email address`);
export const IsWebhookUrl = predicate('isWebhookUrl', isValidWebhookUrl, (p) => `${p} must be an http(s) URL without credentials`);
export const IsRobotKey = predicate('isRobotKey', isValidRobotKey, (p) => `${p} must be a robot key or token of letters, digits, dashes or underscores`);
export const IsClockTime = predicate('isClockTime', (v) => typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v), (p) => `${p} must be HH:MM`);

/**
 * A required nested object. ValidateNested alone lets a missing object through (an incident without `reporter`
 * was a 500) and walks into whatever it is given; here it must be an object, not null, a list or a scalar.
 */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  return applyDecorators(IsDefined(), IsObject(), ValidateNested(), Type(type));
}

/** A list of nested objects: each element must be an object (`"objects":[[[]]]` was a 500). Bound its size too. */
export function NestedObjects(type: () => new () => object): PropertyDecorator {
  return applyDecorators(IsArray(), IsObject({ each: true }), ValidateNested({ each: true }), Type(type));
}

/** An optional nested object: absent is fine; present, it must be an object. */
export function OptionalNestedObject(type: () => new () => object): PropertyDecorator {
  return applyDecorators(IsObject(), ValidateNested(), Type(type));
}
