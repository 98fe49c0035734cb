/**
 * One pass over raw JSON before it is parsed: how deep it nests. Validation (class-transformer, class-validator)
 * recurses once per level, so a body nested 2,000 levels deep overflowed the stack (issue 9); our DTOs nest at
 * most a few levels, so a small limit refuses such bodies before anything recursive sees them.
 */
export const MAX_JSON_DEPTH = 32;

export function jsonDepth(raw: Buffer | string, stopAbove = Infinity): number {
  const s = typeof raw === 'string' ? raw : raw.toString('utf8');
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The path of the first string (or key) holding a NUL character, e.g. `reporter.name`, or null. */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) return here;
      const found = findNul(v, here);
      if (found) return found;
    }
  }
  return null;
}
