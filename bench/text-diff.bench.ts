/**
 * Issue 9: the reviewers' line diff of two revisions' scripts. Baseline: the LCS table it replaced (a full
 * (n+1)×(m+1) table, as it was in src/domain/text-diff.ts); now: jsdiff (Myers) bounded in edits and output,
 * computed once per revision. Prints time and the growth of the heap for each size, side by side.
 * WARDLINE_BENCH_LINES=10000 sets the largest size. Figures are only comparable on a quiet machine.
 */
import { intEnv, printTable } from './support';
import { lineDiff } from '../src/infra/text-diff';

/** The replaced implementation, kept here only as the baseline. */
function lcsLineDiff(before: string, after: string): string[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) (out.push(`  ${a[i]}`), i++, j++);
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out;
}

function measure(f: () => string[]): { ms: number; heapMb: number; lines: number } {
  (global as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const lines = f().length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const heapMb = Math.max(0, process.memoryUsage().heapUsed - heap0) / 1e6;
  return { ms, heapMb, lines };
}

const max = intEnv('WARDLINE_BENCH_LINES', 10_000, 100);
const sizes = [1_000, 5_000, max].filter((n, i, all) => n <= max && all.indexOf(n) === i);
const table: string[][] = [['lines', 'edit', 'LCS table ms (before)', 'heap MB', 'jsdiff ms (now)', 'heap MB', 'diff lines']];
for (const n of sizes) {
  const before = Array.from({ length: n }, (_, i) => `UPDATE his.t SET a = ${i} WHERE id = ${i};`);
  for (const [label, after] of [
    ['1% changed', before.map((l, i) => (i % 100 === 0 ? `${l} -- 复核` : l))],
    ['all changed', before.map((_, i) => `DELETE FROM his.t WHERE id = ${i};`)],
  ] as const) {
    const a = before.join('\n');
    const b = after.join('\n');
    const old = measure(() => lcsLineDiff(a, b));
    const now = measure(() => lineDiff(a, b));
    table.push([String(n), label, old.ms.toFixed(0), old.heapMb.toFixed(0), now.ms.toFixed(0), now.heapMb.toFixed(0), String(now.lines)]);
  }
}
printTable(table);
