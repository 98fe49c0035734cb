import { diffArrays } from 'diff';

/** More changed lines than this are not diffed line by line: Myers' cost grows with lines × edits. */
export const MAX_DIFF_EDITS = 1000;
/** At most this many lines of diff are kept (a script may be 200,000 characters, as many lines). */
export const MAX_DIFF_LINES = 20_000;

/**
 * A line diff between two revisions' scripts, for reviewers (S4): `  ` kept, `- ` removed, `+ ` added; a line
 * starting `! ` says the diff was cut short. Uses jsdiff (Myers), bounded in edits and output, and is computed once
 * per revision when it is submitted, not on every read.
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const out: string[] = [];
  const parts = diffArrays(a, b, { maxEditLength: MAX_DIFF_EDITS });
  if (parts === undefined) {
    out.push(`! 改动超过 ${MAX_DIFF_EDITS} 行，整体替换显示 / more than ${MAX_DIFF_EDITS} lines changed: shown as replaced whole`);
    for (const l of a) out.push(`- ${l}`);
    for (const l of b) out.push(`+ ${l}`);
  } else {
    for (const p of parts) {
      const mark = p.added ? '+ ' : p.removed ? '- ' : '  ';
      for (const l of p.value) out.push(mark + l);
    }
  }
  if (out.length <= MAX_DIFF_LINES) return out;
  const shown = out.slice(0, MAX_DIFF_LINES);
  shown.push(`! 另有 ${out.length - MAX_DIFF_LINES} 行未显示 / ${out.length - MAX_DIFF_LINES} more lines not shown`);
  return shown;
}
