import { FieldProblem } from '../cmdb';

/**
 * Job templates' typed parameters (P5). A value is checked against its type before a run starts and reaches the
 * host only as a quoted environment value (src/adapters/ssh/script.ts), never as script text.
 */
export const PARAM_TYPES = ['string', 'integer', 'boolean', 'enum'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface ParamSpec {
  name: string;
  type: ParamType;
  label?: string;
  required?: boolean;
  default?: string | number | boolean;
  values?: string[];
  /** For strings: a regular expression the whole value must match. */
  pattern?: string;
  maxLength?: number;
  min?: number;
  max?: number;
}

export const PARAM_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const RESERVED = new Set(['path', 'home', 'shell', 'user', 'ifs', 'bash_env', 'env', 'pwd', 'ps4', 'shellopts', 'bashopts']);
export const MAX_VALUE_LENGTH = 4096;

/** Problems of a template's parameter list itself (names, duplicates, enum values, patterns that compile). */
export function specProblems(specs: ParamSpec[], field = 'parameters'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  specs.forEach((s, i) => {
    const f = `${field}[${i}]`;
    if (!PARAM_NAME.test(s.name)) problems.push({ field: `${f}.name`, reason: 'name must be a lower-case identifier (a-z, 0-9, _; at most 40)' });
    else if (RESERVED.has(s.name)) problems.push({ field: `${f}.name`, reason: `${s.name} is reserved by the shell` });
    if (seen.has(s.name)) problems.push({ field: `${f}.name`, reason: `duplicate parameter ${s.name}` });
    seen.add(s.name);
    if (!(PARAM_TYPES as readonly string[]).includes(s.type)) problems.push({ field: `${f}.type`, reason: `type must be one of ${PARAM_TYPES.join(', ')}` });
    if (s.type === 'enum' && !(s.values && s.values.length)) problems.push({ field: `${f}.values`, reason: 'an enum needs its values' });
    if (s.pattern !== undefined) {
      try {
        new RegExp(s.pattern);
      } catch {
        problems.push({ field: `${f}.pattern`, reason: 'pattern is not a valid regular expression' });
      }
    }
    if (s.default !== undefined) {
      const why = valueProblem(s, s.default);
      if (why) problems.push({ field: `${f}.default`, reason: why });
    }
  });
  return problems;
}

function valueProblem(spec: ParamSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return `${spec.name} must be a string`;
      if (value.includes('\0')) return `${spec.name} must not contain NUL`;
      if (value.length > Math.min(spec.maxLength ?? MAX_VALUE_LENGTH, MAX_VALUE_LENGTH)) return `${spec.name} is longer than ${Math.min(spec.maxLength ?? MAX_VALUE_LENGTH, MAX_VALUE_LENGTH)} characters`;
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(value)) return `${spec.name} must match ${spec.pattern}`;
      return null;
    }
    case 'integer':
      if (!Number.isSafeInteger(value)) return `${spec.name} must be an integer`;
      if (spec.min !== undefined && (value as number) < spec.min) return `${spec.name} must be at least ${spec.min}`;
      if (spec.max !== undefined && (value as number) > spec.max) return `${spec.name} must be at most ${spec.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${spec.name} must be true or false`;
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value) ? null : `${spec.name} must be one of: ${(spec.values ?? []).join(', ')}`;
    default:
      return `unknown parameter type ${String(spec.type)}`;
  }
}

/** The values a run gives, checked and turned into the strings the host receives; every problem names its field. */
export function resolveParameters(specs: ParamSpec[], given: Record<string, unknown>, field = 'parameters'): { values: Record<string, string>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const values: Record<string, string> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(given)) if (!known.has(name)) problems.push({ field: `${field}.${name}`, reason: `the template has no parameter ${name}` });
  for (const spec of specs) {
    const value = given[spec.name] ?? spec.default;
    if (value === undefined) {
      if (spec.required !== false) problems.push({ field: `${field}.${spec.name}`, reason: `${spec.name} is required` });
      continue;
    }
    const why = valueProblem(spec, value);
    if (why) problems.push({ field: `${field}.${spec.name}`, reason: why });
    else values[spec.name] = String(value);
  }
  return { values, problems };
}
