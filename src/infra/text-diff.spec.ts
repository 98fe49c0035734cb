import { describe, expect, it } from '@jest/globals';
import { MAX_DIFF_EDITS, MAX_DIFF_LINES, lineDiff } from './text-diff';

describe('lineDiff (jsdiff, bounded)', () => {
  it('marks kept, removed and added lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual(['  a', '- b', '+ x', '  c', '+ d']);
    expect(lineDiff('a\r\nb', 'a\nb')).toEqual(['  a', '  b']);
  });

  it('10,000 lines with a few edits give the minimal diff', () => {
    const before = Array.from({ length: 10_000 }, (_, i) => `UPDATE t SET a = ${i} WHERE id = ${i};`);
    const after = before.map((l, i) => (i % 1000 === 0 ? `${l} -- 已复核` : l));
    const d = lineDiff(before.join('\n'), after.join('\n'));
    expect(d).toHaveLength(10_010);
    expect(d.filter((l) => l.startsWith('- '))).toHaveLength(10);
    expect(d.filter((l) => l.startsWith('+ '))).toHaveLength(10);
  });

  it(`more than ${MAX_DIFF_EDITS} changed lines are shown as replaced whole, and the output is capped at ${MAX_DIFF_LINES} lines`, () => {
    const before = Array.from({ length: 15_000 }, (_, i) => `old ${i}`).join('\n');
    const after = Array.from({ length: 15_000 }, (_, i) => `new ${i}`).join('\n');
    const d = lineDiff(before, after);
    expect(d).toHaveLength(MAX_DIFF_LINES + 1);
    expect(d[0]).toMatch(/^! .*more than 1000 lines changed/);
    expect(d[1]).toBe('- old 0');
    expect(d[d.length - 1]).toMatch(/^! .*10001 more lines not shown$/);
  });
});
