/**
 * SQL classifier for change review (S4): splits a submitted script into statements per dialect, parses
 * each with node-sql-parser where it can, falls back to a keyword classifier on comment- and
 * string-masked text where it cannot, and reports the schema objects touched, destructive statements
 * and statements nobody understood. Pure: no I/O.
 *
 * Statement indexes are 1-based (as a reviewer reads "statement 3").
 */
import { Parser as PgParser } from 'node-sql-parser/build/postgresql';
import { Parser as MySqlParser } from 'node-sql-parser/build/mysql';
import { Parser as TsqlParser } from 'node-sql-parser/build/transactsql';

export type SqlDialect = 'oracle' | 'sqlserver' | 'mysql' | 'postgresql';
export type SchemaObjectType =
  | 'table'
  | 'view'
  | 'procedure'
  | 'function'
  | 'trigger'
  | 'index'
  | 'sequence'
  | 'schema'
  | 'synonym'
  | 'package'
  | 'type';
export interface TouchedObject {
  type: SchemaObjectType | 'data';
  name: string;
  action: 'create' | 'alter' | 'drop' | 'truncate' | 'rename' | 'grant' | 'update' | 'delete' | 'insert' | 'merge' | 'other';
  statementIndex: number;
}
export interface StatementFinding {
  index: number;
  /** The statement, trimmed, at most 2000 characters. */
  text: string;
  kind: 'ddl' | 'dml' | 'dcl' | 'query' | 'other';
  destructive: boolean;
  reasons: string[];
  parsed: boolean;
  parseError?: string;
  objects: TouchedObject[];
}
export interface SqlClassification {
  dialect: SqlDialect;
  statements: StatementFinding[];
  objects: TouchedObject[];
  schemaChange: boolean;
  destructive: boolean;
  unparsed: { index: number; text: string; error: string }[];
  riskFloor: 'low' | 'medium' | 'high';
}

export const SQL_DIALECTS: readonly SqlDialect[] = ['oracle', 'sqlserver', 'mysql', 'postgresql'];
const SCHEMA_ACTIONS = new Set<TouchedObject['action']>(['create', 'alter', 'drop', 'truncate', 'rename']);
const MAX_TEXT = 2000;

// ───────────────────────────── lexing: mask comments, strings and quoted identifiers ─────────────

/**
 * Returns a copy of `src` of the same length where comments become spaces and the contents of string
 * literals, quoted identifiers and dollar-quoted bodies become `_` (newlines are kept). Offsets in the
 * masked text are offsets in the source, so names can be read back from the source.
 */
export function maskSql(src: string, dialect: SqlDialect): string {
  const out = src.split('');
  const n = src.length;
  const blank = (from: number, to: number, fill: string): void => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = fill;
  };
  let i = 0;
  while (i < n) {
    const c = src[i];
    const c2 = src[i + 1];
    if (c === '-' && c2 === '-') {
      const e = lineEnd(src, i);
      blank(i, e, ' ');
      i = e;
    } else if (c === '#' && dialect === 'mysql') {
      const e = lineEnd(src, i);
      blank(i, e, ' ');
      i = e;
    } else if (c === '/' && c2 === '*') {
      const close = src.indexOf('*/', i + 2);
      const e = close < 0 ? n : close + 2;
      blank(i, e, ' ');
      i = e;
    } else if (c === "'") {
      const prev = src[i - 1] ?? '';
      const backslash = dialect === 'mysql' || ((prev === 'E' || prev === 'e') && !isIdentChar(src[i - 2] ?? ''));
      // Oracle alternative quoting q'[ … ]'
      if (dialect === 'oracle' && (prev === 'q' || prev === 'Q') && !isIdentChar(src[i - 2] ?? '') && i + 1 < n) {
        const open = src[i + 1];
        const closeCh = ({ '[': ']', '{': '}', '(': ')', '<': '>' } as Record<string, string>)[open] ?? open;
        const close = src.indexOf(closeCh + "'", i + 2);
        const e = close < 0 ? n : close + 2;
        blank(i + 1, e - 1, '_');
        i = e;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        if (backslash && src[j] === '\\') j += 2;
        else if (src[j] === "'" && src[j + 1] === "'") j += 2;
        else if (src[j] === "'") break;
        else j++;
      }
      blank(i + 1, j, '_');
      i = j + 1;
    } else if (c === '"' || c === '`' || (c === '[' && dialect === 'sqlserver')) {
      const closeCh = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < n) {
        if (src[j] === closeCh && src[j + 1] === closeCh) j += 2;
        else if (src[j] === closeCh) break;
        else j++;
      }
      blank(i + 1, j, '_');
      i = j + 1;
    } else if (c === '$' && dialect === 'postgresql' && !isIdentChar(src[i - 1] ?? '')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(src.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const close = src.indexOf(tag, i + tag.length);
        const e = close < 0 ? n : close;
        blank(i + tag.length, e, '_');
        i = close < 0 ? n : close + tag.length;
      } else i++;
    } else i++;
  }
  return out.join('');
}

function lineEnd(s: string, i: number): number {
  const e = s.indexOf('\n', i);
  return e < 0 ? s.length : e;
}
function isIdentChar(ch: string): boolean {
  return ch !== '' && /[\p{L}\p{N}_$#@]/u.test(ch);
}

// ───────────────────────────── splitting ─────────────────────────────

interface RawStatement {
  start: number;
  end: number;
}

const ORACLE_BLOCK_HEAD =
  /^(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:NON)?EDITIONABLE\s+)?(PROCEDURE|FUNCTION|TRIGGER|PACKAGE(?:\s+BODY)?|TYPE\s+BODY)\b|DECLARE\b|BEGIN\b)/i;
const MYSQL_BLOCK_HEAD =
  /^CREATE\s+(?:DEFINER\s*=\s*\S+\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b|^BEGIN\b(?!\s+WORK\b)/i;
const TSQL_WHOLE_BATCH = /^(?:CREATE\s+OR\s+ALTER|CREATE|ALTER)\s+(?:PROC|PROCEDURE|FUNCTION|TRIGGER|VIEW)\b/i;
const SQLPLUS_LINE =
  /^[ \t]*(?:PROMPT\b|REM\b|REMARK\b|SPOOL\b|WHENEVER\b|EXIT\b|QUIT\b|@@?\S|SET[ \t]+(?:DEFINE|SERVEROUTPUT|ECHO|FEEDBACK|TIMING|SQLBLANKLINES|LINESIZE|PAGESIZE|HEADING|VERIFY|TERMOUT|TRIMSPOOL|SCAN)\b)/i;

type BlockMode = 'none' | 'plsql' | 'tsql-batch' | 'tsql-begin' | 'mysql-begin';

/** Splits a script into statements (offsets into the script). Comment-only pieces are dropped. */
export function splitSql(script: string, dialect: SqlDialect): { text: string; start: number; end: number }[] {
  const masked = maskSql(script, dialect);
  const raw = splitMasked(masked, dialect);
  return raw
    .filter((r) => masked.slice(r.start, r.end).trim() !== '')
    .map((r) => ({ text: script.slice(r.start, r.end).trim(), start: r.start, end: r.end }));
}

function splitMasked(m: string, dialect: SqlDialect): RawStatement[] {
  const out: RawStatement[] = [];
  const n = m.length;
  let start = 0;
  let delimiter = ';';
  let mode: BlockMode = 'none';
  let modeDecided = false;
  let depth = 0;
  let closedOnce = false;
  let prevWord = '';

  const flush = (end: number, next: number): void => {
    if (end > start) out.push({ start, end });
    start = next;
    mode = 'none';
    modeDecided = false;
    depth = 0;
    closedOnce = false;
    prevWord = '';
  };

  let i = 0;
  while (i < n) {
    // line-level commands at the start of a line
    if (i === 0 || m[i - 1] === '\n') {
      const le = lineEnd(m, i);
      const line = m.slice(i, le);
      const pending = m.slice(start, i).trim() === '';
      if (dialect === 'sqlserver' && /^[ \t]*GO(?:[ \t]+\d+)?[ \t]*\r?$/i.test(line)) {
        flush(i, le);
        i = le;
        continue;
      }
      if (dialect === 'oracle' && /^[ \t]*\/[ \t]*\r?$/.test(line)) {
        flush(i, le);
        i = le;
        continue;
      }
      if (dialect === 'oracle' && pending && SQLPLUS_LINE.test(line)) {
        start = le;
        i = le;
        continue;
      }
      const dm = dialect === 'mysql' ? /^[ \t]*DELIMITER[ \t]+(\S+)[ \t]*\r?$/i.exec(line) : null;
      if (dm) {
        flush(i, le);
        delimiter = dm[1];
        i = le;
        continue;
      }
    }
    const c = m[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (!modeDecided) {
      modeDecided = true;
      const rest = m.slice(i, i + 400);
      if (dialect === 'oracle' && ORACLE_BLOCK_HEAD.test(rest)) {
        mode = 'plsql';
        const h = ORACLE_BLOCK_HEAD.exec(rest);
        depth = h && h[1] && /^(PACKAGE|TYPE)/i.test(h[1]) ? 1 : 0;
      } else if (dialect === 'sqlserver') {
        mode = TSQL_WHOLE_BATCH.test(rest) ? 'tsql-batch' : 'tsql-begin';
      } else if (dialect === 'mysql' && delimiter === ';' && MYSQL_BLOCK_HEAD.test(rest)) {
        mode = 'mysql-begin';
      }
    }
    // custom MySQL delimiter
    if (delimiter !== ';' && m.startsWith(delimiter, i)) {
      flush(i, i + delimiter.length);
      i += delimiter.length;
      continue;
    }
    if (delimiter !== ';') {
      // inside a DELIMITER block only the custom delimiter ends a statement (it may touch a word: END$$)
      i++;
      continue;
    }
    if (c === ';' && delimiter === ';') {
      const ends =
        mode === 'none' ||
        (mode === 'plsql' && depth <= 0 && closedOnce) ||
        (mode === 'mysql-begin' && depth <= 0 && closedOnce) ||
        (mode === 'tsql-begin' && depth <= 0);
      if (ends) {
        flush(i, i + 1);
        i++;
        continue;
      }
      prevWord = ';';
      i++;
      continue;
    }
    if (isIdentChar(c) && !isIdentChar(m[i - 1] ?? '')) {
      let j = i;
      while (j < n && isIdentChar(m[j])) j++;
      const word = m.slice(i, j).toUpperCase();
      if (mode !== 'none' && mode !== 'tsql-batch') trackDepth(word, m, j, dialect);
      prevWord = word;
      i = j;
      continue;
    }
    prevWord = c;
    i++;
  }
  flush(n, n);
  return out;

  function trackDepth(word: string, text: string, after: number, d: SqlDialect): void {
    const next = /^\s*([A-Za-z_]+|\(|\S)?/.exec(text.slice(after, after + 40))?.[1]?.toUpperCase() ?? '';
    switch (word) {
      case 'BEGIN':
        if (d === 'sqlserver' && /^(TRAN|TRANSACTION|DISTRIBUTED)$/.test(next)) return;
        if (d === 'mysql' && next === 'WORK') return;
        depth++;
        return;
      case 'CASE':
        if (prevWord !== 'END') depth++;
        return;
      case 'IF':
        if (d === 'sqlserver' || prevWord === 'END' || next === '(' || next === 'EXISTS' || next === 'NOT') return;
        depth++;
        return;
      case 'LOOP':
        if (prevWord !== 'END' && d !== 'sqlserver') depth++;
        return;
      case 'WHILE':
      case 'REPEAT':
        if (d === 'mysql' && prevWord !== 'END') depth++;
        return;
      case 'END':
        depth--;
        if (depth <= 0) closedOnce = true;
        return;
      default:
        return;
    }
  }
}

// ───────────────────────────── names ─────────────────────────────

const PART = String.raw`(?:"[^"\n]*"|\[[^\]\n]*\]|` + '`[^`\\n]*`' + String.raw`|[\p{L}\p{N}_$#@]+)`;
const NAME = String.raw`${PART}(?:\s*\.\s*${PART})*`;
const NOT_NAMES = new Set([
  'ON', 'OR', 'INTO', 'FROM', 'WHERE', 'SET', 'AS', 'IS', 'TO', 'WHEN', 'THEN', 'CASCADE', 'NO', 'OF', 'BY',
  'PARTITION', 'SUBPARTITION', 'IF', 'SELECT', 'VALUES', 'TABLE', 'ALL',
]);

function foldPart(raw: string, dialect: SqlDialect): string {
  const p = raw.trim();
  const q = p[0];
  if ((q === '"' && p.endsWith('"')) || (q === '`' && p.endsWith('`')) || (q === '[' && p.endsWith(']'))) {
    const inner = p.slice(1, -1);
    return q === '[' ? inner.replace(/\]\]/g, ']') : inner.replace(new RegExp(q + q, 'g'), q);
  }
  if (dialect === 'oracle') return p.toUpperCase();
  if (dialect === 'postgresql') return p.toLowerCase();
  return p;
}

/** Normalises a (possibly schema-qualified, possibly quoted) name as written in the source. */
export function normaliseName(raw: string, dialect: SqlDialect): string {
  const parts = raw.match(new RegExp(PART, 'gu')) ?? [raw];
  return parts.map((p) => foldPart(p, dialect)).join('.');
}

/** Folds a name part that came out of the parser AST (quotes already stripped) using the statement text. */
function foldAstPart(part: string, stmt: string, dialect: SqlDialect): string {
  if (
    stmt.includes(`"${part}"`) ||
    stmt.includes('`' + part + '`') ||
    stmt.includes(`[${part}]`)
  ) {
    return part;
  }
  return foldPart(part, dialect);
}

// ───────────────────────────── AST classification ─────────────────────────────

interface Classified {
  kind?: StatementFinding['kind'];
  destructive: boolean;
  reasons: string[];
  objects: Omit<TouchedObject, 'statementIndex'>[];
  unknown?: string;
}

type AnyNode = Record<string, unknown>;
const KEYWORD_TYPES: Record<string, SchemaObjectType> = {
  table: 'table',
  view: 'view',
  'materialized view': 'view',
  index: 'index',
  sequence: 'sequence',
  schema: 'schema',
  database: 'schema',
  function: 'function',
  procedure: 'procedure',
  proc: 'procedure',
  trigger: 'trigger',
  type: 'type',
  synonym: 'synonym',
  package: 'package',
};

function parserFor(dialect: SqlDialect): { parser: { parse(sql: string, opt?: { database?: string }): { ast: unknown } }; database: string } {
  switch (dialect) {
    case 'mysql':
      return { parser: new MySqlParser(), database: 'MySQL' };
    case 'sqlserver':
      return { parser: new TsqlParser(), database: 'TransactSQL' };
    case 'postgresql':
    case 'oracle':
      // node-sql-parser has no Oracle grammar; ANSI double-quoted identifiers make PostgreSQL the closest.
      return { parser: new PgParser(), database: 'PostgresQL' };
  }
}

function classifyAst(ast: unknown, stmt: string, head: string, dialect: SqlDialect): Classified | null {
  const nodes = Array.isArray(ast) ? ast : [ast];
  const result: Classified = { destructive: false, reasons: [], objects: [] };
  if (nodes.length === 0) return null;
  const name = (db: unknown, table: unknown): string | null => {
    const parts: string[] = [];
    for (const p of [db, table]) {
      if (typeof p === 'string' && p !== '') parts.push(foldAstPart(p, stmt, dialect));
      else if (p && typeof p === 'object' && 'value' in (p as AnyNode)) parts.push(foldAstPart(String((p as AnyNode).value), stmt, dialect));
    }
    return parts.length > 0 && parts[parts.length - 1] !== '' ? parts.join('.') : null;
  };
  const tableRef = (t: unknown): string | null => {
    if (!t || typeof t !== 'object') return null;
    const r = t as AnyNode;
    if (r.type === 'column_ref') {
      // DROP INDEX schema.idx comes back as a column reference
      const col = r.column as unknown;
      const last = typeof col === 'string' ? col : ((col as AnyNode | null)?.expr as AnyNode | undefined)?.value;
      return typeof last === 'string' ? name(r.table, last) : null;
    }
    const tbl = r.table ?? r.view;
    if (typeof tbl !== 'string' && !(tbl && typeof tbl === 'object')) return null;
    return name(r.schema ?? r.db, tbl);
  };
  const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
  const firstType = String(((nodes[0] as AnyNode | null) ?? {}).type ?? '').toLowerCase();
  if (!headMatches(head, firstType)) return null;

  for (const node of nodes) {
    if (!node || typeof node !== 'object') return null;
    const a = node as AnyNode;
    const type = String(a.type ?? '').toLowerCase();
    const keyword = String(a.keyword ?? '').toLowerCase();
    switch (type) {
      case 'select':
        break;
      case 'insert':
      case 'replace': {
        const t = tableRef(first(a.table));
        if (!t) return null;
        result.objects.push({ type: 'data', name: t, action: 'insert' });
        break;
      }
      case 'update':
      case 'delete': {
        const aliases = new Map<string, string>();
        for (const f of Array.isArray(a.from) ? a.from : []) {
          const fr = f as AnyNode;
          const real = tableRef(fr);
          if (real && typeof fr.as === 'string') aliases.set(fr.as.toLowerCase(), real);
        }
        const targets = (Array.isArray(a.table) ? a.table : [a.table]).filter(Boolean);
        if (targets.length === 0 && Array.isArray(a.from)) targets.push(a.from[0]);
        for (const t of targets) {
          let nm = tableRef(t);
          if (!nm) return null;
          const alias = aliases.get(nm.toLowerCase());
          if (alias && !nm.includes('.')) nm = alias;
          if (!result.objects.some((o) => o.name === nm && o.action === type)) {
            result.objects.push({ type: 'data', name: nm, action: type as 'update' | 'delete' });
          }
        }
        if (!a.where) {
          result.destructive = true;
          result.reasons.push(`${type.toUpperCase()} without WHERE affects every row`);
        }
        break;
      }
      case 'create': {
        const objType = KEYWORD_TYPES[keyword] ?? (a.constraint !== undefined && a.events ? 'trigger' : undefined);
        if (!objType) return null;
        let nm: string | null = null;
        if (objType === 'table') nm = tableRef(first(a.table));
        else if (objType === 'view') nm = tableRef(a.view) ?? tableRef(first(a.table));
        else if (objType === 'index') nm = typeof a.index === 'string' ? name(null, a.index) : null;
        else if (objType === 'sequence') nm = tableRef(first(a.sequence));
        else if (objType === 'schema') {
          const s = (a.schema as AnyNode | undefined)?.schema ?? a.database;
          const parts = (Array.isArray(s) ? s : [s]).map((p) => (p && typeof p === 'object' ? String((p as AnyNode).value) : String(p ?? '')));
          nm = parts.filter(Boolean).map((p) => foldAstPart(p, stmt, dialect)).join('.') || null;
        } else if (objType === 'function' || objType === 'procedure') {
          const parts = ((a.name as AnyNode | undefined)?.name ?? []) as AnyNode[];
          nm = Array.isArray(parts) ? parts.map((p) => foldAstPart(String(p.value), stmt, dialect)).join('.') || null : null;
        } else if (objType === 'trigger') {
          nm = typeof a.constraint === 'string' ? foldAstPart(a.constraint, stmt, dialect) : null;
          if (!nm && a.trigger && typeof a.trigger === 'object') nm = tableRef(a.trigger);
        }
        if (!nm) return null;
        result.objects.push({ type: objType, name: nm, action: 'create' });
        if (a.replace) result.reasons.push(`CREATE OR REPLACE ${keyword.toUpperCase()} replaces any existing definition`);
        break;
      }
      case 'alter': {
        const objType = KEYWORD_TYPES[keyword || 'table'];
        if (!objType) return null;
        const nm = tableRef(first(a.table)) ?? tableRef(first(a.name));
        if (!nm) return null;
        let action: TouchedObject['action'] = 'alter';
        for (const e of Array.isArray(a.expr) ? (a.expr as AnyNode[]) : []) {
          const act = String(e.action ?? '').toLowerCase();
          if (act === 'drop') {
            result.destructive = true;
            result.reasons.push(`ALTER ${objType.toUpperCase()} … DROP ${String(e.resource ?? e.keyword ?? '').toUpperCase()}`.trim());
          }
          if (act === 'rename' && String(e.resource ?? '').toLowerCase() === 'table') action = 'rename';
        }
        result.objects.push({ type: objType, name: nm, action });
        break;
      }
      case 'drop': {
        const objType = KEYWORD_TYPES[keyword];
        if (!objType) return null;
        const names = Array.isArray(a.name) ? a.name : [a.name];
        for (const t of names) {
          const nm = objType === 'index' && t && typeof t === 'object' && 'table' in (t as AnyNode) ? tableRef(t) : tableRef(t);
          if (!nm) return null;
          result.objects.push({ type: objType, name: nm, action: 'drop' });
        }
        result.destructive = true;
        result.reasons.push(`DROP ${keyword.toUpperCase()}`);
        break;
      }
      case 'truncate': {
        const names = Array.isArray(a.name) ? a.name : [a.name];
        for (const t of names) {
          const nm = tableRef(t);
          if (!nm) return null;
          result.objects.push({ type: 'table', name: nm, action: 'truncate' });
        }
        result.destructive = true;
        result.reasons.push('TRUNCATE removes every row');
        break;
      }
      case 'rename': {
        for (const pair of Array.isArray(a.table) ? (a.table as unknown[]) : []) {
          const from = Array.isArray(pair) ? tableRef(pair[0]) : null;
          if (!from) return null;
          result.objects.push({ type: 'table', name: from, action: 'rename' });
        }
        break;
      }
      case 'grant':
      case 'revoke': {
        const on = a.on as AnyNode | undefined;
        const objKw = String(on?.object_type ?? 'table').toLowerCase();
        for (const pl of Array.isArray(on?.priv_level) ? (on!.priv_level as AnyNode[]) : []) {
          const nm = name(pl.prefix, pl.name);
          if (nm && nm !== '*') result.objects.push({ type: KEYWORD_TYPES[objKw] ?? 'table', name: nm, action: 'grant' });
        }
        result.kind = 'dcl';
        result.reasons.push(`${type.toUpperCase()} changes privileges`);
        break;
      }
      case 'comment':
        break;
      case 'transaction':
      case 'use':
      case 'set':
      case 'show':
        result.kind = 'other';
        break;
      default:
        return null;
    }
  }
  return result;
}

function headMatches(head: string, astType: string): boolean {
  const h = head.toUpperCase();
  const map: Record<string, string[]> = {
    select: ['SELECT', 'WITH', '('],
    insert: ['INSERT'],
    replace: ['REPLACE'],
    update: ['UPDATE', 'WITH'],
    delete: ['DELETE', 'WITH'],
    create: ['CREATE'],
    alter: ['ALTER'],
    drop: ['DROP'],
    truncate: ['TRUNCATE'],
    rename: ['RENAME'],
    grant: ['GRANT'],
    revoke: ['REVOKE'],
    comment: ['COMMENT'],
    transaction: ['COMMIT', 'ROLLBACK', 'BEGIN', 'START'],
    use: ['USE'],
    set: ['SET'],
    show: ['SHOW'],
  };
  return (map[astType] ?? []).includes(h);
}

// ───────────────────────────── keyword fallback ─────────────────────────────

const CREATE_RE = new RegExp(
  String.raw`\bCREATE\s+(?:OR\s+(?:REPLACE|ALTER)\s+)?(?:(?:NON)?EDITIONABLE\s+|GLOBAL\s+TEMPORARY\s+|TEMP(?:ORARY)?\s+|UNLOGGED\s+|UNIQUE\s+|BITMAP\s+|CLUSTERED\s+|NONCLUSTERED\s+|FULLTEXT\s+|SPATIAL\s+|MATERIALIZED\s+|FORCE\s+|NOFORCE\s+|PUBLIC\s+|DEFINER\s*=\s*\S+\s+|ALGORITHM\s*=\s*\w+\s+|SQL\s+SECURITY\s+\w+\s+)*` +
    String.raw`(TABLE|VIEW|PROCEDURE|PROC|FUNCTION|TRIGGER|INDEX|SEQUENCE|SCHEMA|SYNONYM|PACKAGE\s+BODY|PACKAGE|TYPE\s+BODY|TYPE|DATABASE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(${NAME})`,
  'giu',
);
const ALTER_RE = new RegExp(
  String.raw`(?<!\bOR\s{1,20})\bALTER\s+(TABLE|MATERIALIZED\s+VIEW|VIEW|PROCEDURE|PROC|FUNCTION|TRIGGER|INDEX|SEQUENCE|SCHEMA|SYNONYM|PACKAGE|TYPE|DATABASE)\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})`,
  'giu',
);
const DROP_RE = new RegExp(
  String.raw`\bDROP\s+(?:MATERIALIZED\s+)?(TABLE|VIEW|PROCEDURE|PROC|FUNCTION|TRIGGER|INDEX|SEQUENCE|SCHEMA|PUBLIC\s+SYNONYM|SYNONYM|PACKAGE\s+BODY|PACKAGE|TYPE\s+BODY|TYPE|DATABASE)\s+(?:IF\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(${NAME}(?:\s*,\s*${NAME})*)`,
  'giu',
);
const TRUNCATE_RE = new RegExp(String.raw`\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(${NAME})`, 'giu');
const RENAME_RE = new RegExp(String.raw`\bRENAME\s+(?:TABLE\s+)?(${NAME})\s+TO\s+(${NAME})`, 'giu');
const INSERT_RE = new RegExp(String.raw`\b(?:INSERT\s+(?:ALL\s+|IGNORE\s+)?(?:INTO\s+)?|REPLACE\s+INTO\s+)(${NAME})`, 'giu');
const UPDATE_RE = new RegExp(String.raw`\bUPDATE\s+(?:TOP\s*\(\s*\d+\s*\)\s+)?(${NAME})(?:\s+(?:AS\s+)?[\p{L}_][\p{L}\p{N}_]*)?\s+SET\b`, 'giu');
const DELETE_RE = new RegExp(String.raw`\bDELETE\s+(?:TOP\s*\(\s*\d+\s*\)\s+)?(?:FROM\s+)?(${NAME})`, 'giu');
const MERGE_RE = new RegExp(String.raw`\bMERGE\s+(?:TOP\s*\(\s*\d+\s*\)\s+)?(?:INTO\s+)?(${NAME})`, 'giu');
const GRANT_RE = new RegExp(
  String.raw`\b(GRANT|REVOKE|DENY)\b[^;]*?\bON\s+(?:(TABLE|VIEW|PROCEDURE|FUNCTION|PACKAGE|SEQUENCE|SCHEMA|OBJECT|TYPE)\s*(?:::\s*)?)?(${NAME})`,
  'giu',
);
const ROLE_GRANT_RE = /\b(GRANT|REVOKE|DENY)\b/i;
const SP_RENAME_RE = /\b(?:EXEC(?:UTE)?\s+)?(?:[\w[\]]+\.)*sp_rename\s+N?'([^']*)'/giu;
const DML_PRECEDED_BY_EVENT = /\b(AFTER|BEFORE|OR|FOR|OF|INSTEAD|GRANT|REVOKE|DENY|ON)\s*$|,\s*$/i;
const TERMINATORS = new Set([
  'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'GRANT', 'REVOKE', 'END', 'ELSE',
  'ELSIF', 'EXEC', 'EXECUTE', 'COMMIT', 'ROLLBACK', 'IF', 'BEGIN', 'GO', 'RETURN', 'DECLARE', 'PRINT', 'SELECT',
]);

const OTHER_HEADS = new Set([
  'USE', 'SET', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'PRINT', 'DECLARE', 'EXEC', 'EXECUTE', 'CALL', 'ANALYZE',
  'VACUUM', 'EXPLAIN', 'SHOW', 'DESC', 'DESCRIBE', 'LOCK', 'UNLOCK', 'START', 'BEGIN', 'DO', 'IF', 'WHILE',
  'RAISERROR', 'THROW', 'WAITFOR', 'COMMENT', 'REINDEX', 'CHECKPOINT', 'DBCC', 'REFRESH', 'CLUSTER', 'NOTIFY',
  'LISTEN', 'DISCARD', 'RESET', 'FLUSH', 'OPTIMIZE', 'PURGE',
]);
const QUERY_HEADS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);
const DDL_DML_HEADS = new Set([
  'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'GRANT',
  'REVOKE', 'DENY', 'UPSERT',
]);

function typeFromKeyword(kw: string): SchemaObjectType {
  const k = kw.toUpperCase().replace(/\s+/g, ' ');
  if (k === 'PROC' || k === 'PROCEDURE') return 'procedure';
  if (k.startsWith('PACKAGE')) return 'package';
  if (k.startsWith('TYPE')) return 'type';
  if (k === 'DATABASE' || k === 'SCHEMA') return 'schema';
  if (k.endsWith('SYNONYM')) return 'synonym';
  if (k.endsWith('VIEW')) return 'view';
  return k.toLowerCase() as SchemaObjectType;
}

/** Walks from `from` to the end of the clause: a `;`, or a terminating keyword, at parenthesis depth 0. */
function clauseEnd(masked: string, from: number, terminators: Set<string>): number {
  let depth = 0;
  let i = from;
  while (i < masked.length) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) return i;
    else if (depth === 0 && /[A-Za-z]/.test(c) && !isIdentChar(masked[i - 1] ?? '')) {
      let j = i;
      while (j < masked.length && isIdentChar(masked[j])) j++;
      if (terminators.has(masked.slice(i, j).toUpperCase())) return i;
      i = j;
      continue;
    }
    i++;
  }
  return masked.length;
}

function hasTopLevelWhere(masked: string, from: number, to: number): boolean {
  let depth = 0;
  const seg = masked.slice(from, to);
  const re = /[()]|\bWHERE\b/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(seg))) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) return true;
  }
  return false;
}

/**
 * Finds every DDL/DML/DCL statement in `masked` (comments and strings masked), reading names from
 * `src` at the same offsets.
 */
function scanAll(src: string, masked: string, dialect: SqlDialect): Classified {
  const res: Classified = { destructive: false, reasons: [], objects: [] };
  const nm = (m: RegExpExecArray, group: number): string => {
    const idx = m.index + m[0].lastIndexOf(m[group]);
    return normaliseName(src.slice(idx, idx + m[group].length), dialect);
  };
  const isKeywordName = (s: string): boolean => NOT_NAMES.has(s.toUpperCase());
  const add = (o: Omit<TouchedObject, 'statementIndex'>): void => {
    if (!res.objects.some((x) => x.type === o.type && x.name === o.name && x.action === o.action)) res.objects.push(o);
  };
  let m: RegExpExecArray | null;

  for (const re of [CREATE_RE, ALTER_RE, DROP_RE, TRUNCATE_RE, RENAME_RE, INSERT_RE, UPDATE_RE, DELETE_RE, MERGE_RE, GRANT_RE]) re.lastIndex = 0;

  while ((m = CREATE_RE.exec(masked))) {
    if (isKeywordName(m[2])) continue;
    add({ type: typeFromKeyword(m[1]), name: nm(m, 2), action: 'create' });
    if (/\bOR\s+(REPLACE|ALTER)\b/i.test(m[0])) res.reasons.push(`CREATE OR ${/ALTER/i.test(m[0].slice(6, 20)) ? 'ALTER' : 'REPLACE'} ${m[1].toUpperCase()} replaces any existing definition`);
  }
  while ((m = ALTER_RE.exec(masked))) {
    if (isKeywordName(m[2])) continue;
    const type = typeFromKeyword(m[1]);
    const end = clauseEnd(masked, m.index + m[0].length, new Set([...TERMINATORS].filter((t) => t !== 'DROP' && t !== 'TRUNCATE')));
    const clause = masked.slice(m.index + m[0].length, end);
    let action: TouchedObject['action'] = 'alter';
    if (/^\s*RENAME\s+TO\b/i.test(clause)) action = 'rename';
    add({ type, name: nm(m, 2), action });
    if (/\bDROP\b/i.test(clause)) {
      res.destructive = true;
      const what = /\bDROP\s+(COLUMN|CONSTRAINT|PARTITION|SUBPARTITION|PRIMARY\s+KEY|FOREIGN\s+KEY|INDEX|KEY|UNIQUE|CHECK|PERIOD)?/i.exec(clause);
      res.reasons.push(`ALTER ${m[1].toUpperCase()} … DROP${what && what[1] ? ' ' + what[1].toUpperCase().replace(/\s+/g, ' ') : ''}`);
    }
    if (/\bTRUNCATE\s+(SUB)?PARTITION\b/i.test(clause)) {
      res.destructive = true;
      res.reasons.push(`ALTER ${m[1].toUpperCase()} … TRUNCATE PARTITION`);
    }
    if (/\bSET\s+UNUSED\b/i.test(clause)) {
      res.destructive = true;
      res.reasons.push(`ALTER ${m[1].toUpperCase()} … SET UNUSED`);
    }
  }
  while ((m = DROP_RE.exec(masked))) {
    const type = typeFromKeyword(m[1]);
    const listStart = m.index + m[0].length - m[2].length;
    const list = src.slice(listStart, listStart + m[2].length);
    const maskedList = masked.slice(listStart, listStart + m[2].length);
    const re = new RegExp(NAME, 'gu');
    let p: RegExpExecArray | null;
    let added = false;
    while ((p = re.exec(maskedList))) {
      const raw = list.slice(p.index, p.index + p[0].length);
      if (isKeywordName(p[0])) continue;
      add({ type, name: normaliseName(raw, dialect), action: 'drop' });
      added = true;
    }
    if (added) {
      res.destructive = true;
      res.reasons.push(`DROP ${m[1].toUpperCase().replace(/\s+/g, ' ')}`);
    }
  }
  while ((m = TRUNCATE_RE.exec(masked))) {
    if (isKeywordName(m[1])) continue;
    if (/\bALTER\b[^;]*$/i.test(masked.slice(Math.max(0, m.index - 400), m.index)) && /PARTITION/i.test(m[1])) continue;
    add({ type: 'table', name: nm(m, 1), action: 'truncate' });
    res.destructive = true;
    res.reasons.push('TRUNCATE removes every row');
  }
  while ((m = RENAME_RE.exec(masked))) {
    if (isKeywordName(m[1]) || /\bALTER\b[^;]*$/i.test(masked.slice(Math.max(0, m.index - 200), m.index))) continue;
    add({ type: 'table', name: nm(m, 1), action: 'rename' });
  }
  SP_RENAME_RE.lastIndex = 0;
  while ((m = SP_RENAME_RE.exec(masked))) {
    const q = m.index + m[0].lastIndexOf("'", m[0].length - 2);
    const target = src.slice(q + 1, q + 1 + m[1].length);
    const parts = target.match(new RegExp(PART, 'gu')) ?? [];
    // 'schema.table' renames a table; 'schema.table.column' (or @objtype = 'COLUMN') renames a column
    const tableParts = parts.length >= 3 ? parts.slice(0, -1) : parts;
    const name = tableParts.map((p) => foldPart(p, dialect)).join('.');
    if (name) add({ type: 'table', name, action: parts.length >= 3 ? 'alter' : 'rename' });
  }
  const dml = (re: RegExp, action: 'insert' | 'update' | 'delete' | 'merge'): void => {
    while ((m = re.exec(masked))) {
      if (isKeywordName(m[1])) continue;
      const before = masked.slice(Math.max(0, m.index - 40), m.index);
      if (action !== 'update' && DML_PRECEDED_BY_EVENT.test(before)) continue;
      const after = masked.slice(m.index + m[0].length, m.index + m[0].length + 20);
      if (action === 'delete' && /^\s*(ON|OR|,)/i.test(after)) continue;
      add({ type: 'data', name: nm(m, 1), action });
      if (action === 'update' || action === 'delete') {
        const end = clauseEnd(masked, m.index + m[0].length, TERMINATORS);
        if (!hasTopLevelWhere(masked, m.index + m[0].length, end)) {
          res.destructive = true;
          res.reasons.push(`${action.toUpperCase()} without WHERE affects every row (${nm(m, 1)})`);
        }
      }
      if (action === 'merge') {
        const end = clauseEnd(masked, m.index + m[0].length, new Set(['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'GO', 'COMMIT']));
        const body = masked.slice(m.index, end);
        if (/\bTHEN\s+DELETE\b|\bDELETE\s+WHERE\b/i.test(body)) {
          res.destructive = true;
          res.reasons.push(`MERGE … DELETE removes rows (${nm(m, 1)})`);
        }
      }
    }
  };
  dml(INSERT_RE, 'insert');
  dml(UPDATE_RE, 'update');
  dml(DELETE_RE, 'delete');
  dml(MERGE_RE, 'merge');
  let granted = false;
  while ((m = GRANT_RE.exec(masked))) {
    if (isKeywordName(m[3])) continue;
    const t = m[2] && !/OBJECT/i.test(m[2]) ? typeFromKeyword(m[2]) : /\bEXEC(UTE)?\b/i.test(m[0]) ? 'procedure' : 'table';
    add({ type: t, name: nm(m, 3), action: 'grant' });
    res.reasons.push(`${m[1].toUpperCase()} changes privileges`);
    granted = true;
  }
  if (!granted && ROLE_GRANT_RE.test(masked) && /^\s*(GRANT|REVOKE|DENY)\b/i.test(masked)) {
    res.kind = 'dcl';
    res.reasons.push('GRANT/REVOKE of roles or system privileges');
  }
  return res;
}

/** String literals inside executed blocks that look like dynamic SQL (EXECUTE IMMEDIATE '…', EXEC('…')). */
function dynamicSql(src: string, masked: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  const re = /'(_[_\n\r]*)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    const text = src.slice(m.index + 1, m.index + 1 + m[1].length);
    if (/^\s*(CREATE|ALTER|DROP|TRUNCATE|DELETE|UPDATE|INSERT|MERGE|RENAME|GRANT|REVOKE)\b/i.test(text)) {
      out.push({ text: text.replace(/''/g, "'"), offset: m.index + 1 });
    }
  }
  return out;
}

const STORED_CODE_HEAD =
  /^CREATE\s+(?:OR\s+(?:REPLACE|ALTER)\s+)?(?:(?:NON)?EDITIONABLE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(PROCEDURE|PROC|FUNCTION|TRIGGER|PACKAGE(?:\s+BODY)?|TYPE\s+BODY|EVENT)\b|^ALTER\s+(PROCEDURE|PROC|FUNCTION|TRIGGER)\b/i;

function fallbackClassify(src: string, masked: string, dialect: SqlDialect, head: string): Classified {
  const trimmedMasked = masked.trimStart();
  const lead = masked.length - trimmedMasked.length;
  const stored = STORED_CODE_HEAD.exec(trimmedMasked);
  if (stored) {
    // Only the definition itself takes effect now; the body runs when the routine is called.
    const kw = (stored[1] ?? stored[2] ?? '').toUpperCase().replace(/\s+/g, ' ');
    const isAlter = /^ALTER/i.test(trimmedMasked);
    const headRe = new RegExp((isAlter ? ALTER_RE : CREATE_RE).source, 'iu');
    const hm = headRe.exec(masked.slice(0, lead + stored[0].length + 600));
    const objects: Classified['objects'] = [];
    if (hm && kw !== 'EVENT') {
      const idx = hm.index + hm[0].lastIndexOf(hm[2]);
      objects.push({ type: typeFromKeyword(hm[1]), name: normaliseName(src.slice(idx, idx + hm[2].length), dialect), action: isAlter ? 'alter' : 'create' });
    }
    const reasons: string[] = [];
    if (/^CREATE\s+OR\s+(REPLACE|ALTER)\b/i.test(trimmedMasked)) reasons.push(`CREATE OR REPLACE ${kw} replaces any existing definition`);
    const body = scanAll(src, masked.slice(0, lead) + ' '.repeat(stored[0].length) + masked.slice(lead + stored[0].length), dialect);
    const bodyRisk = body.reasons.filter((x) => /DROP|TRUNCATE|without WHERE|DELETE/i.test(x));
    if (bodyRisk.length > 0) reasons.push(`body contains (runs when called): ${[...new Set(bodyRisk)].join('; ')}`);
    if (objects.length === 0) return { destructive: false, reasons, objects, unknown: `cannot find the name of the ${kw}` };
    return { kind: 'ddl', destructive: false, reasons, objects };
  }
  // PostgreSQL DO $$ … $$: the body is executed now
  if (dialect === 'postgresql' && /^DO\b/i.test(trimmedMasked)) {
    const dm = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(src.slice(lead));
    if (dm) {
      const bStart = lead + dm.index + dm[0].length;
      const bEnd = src.indexOf(dm[0], bStart);
      const body = src.slice(bStart, bEnd < 0 ? src.length : bEnd);
      const r = executedBlock(body, maskSql(body, 'postgresql'), dialect);
      r.reasons.unshift('DO block: its statements run now');
      return r;
    }
  }
  if (/^(DECLARE|BEGIN|IF|WHILE|DO)\b/i.test(trimmedMasked) && !/^BEGIN\s+(TRAN|TRANSACTION|WORK)\b/i.test(trimmedMasked) && !/^BEGIN\s*;?\s*$/i.test(trimmedMasked)) {
    return executedBlock(src, masked, dialect);
  }
  const r = scanAll(src, masked, dialect);
  if (r.objects.length === 0 && !r.kind) {
    if (QUERY_HEADS.has(head)) r.kind = 'query';
    else if (OTHER_HEADS.has(head)) {
      r.kind = 'other';
      if (head === 'EXEC' || head === 'EXECUTE' || head === 'CALL') r.reasons.push('executes stored code; its effects are not visible here');
    } else r.unknown = DDL_DML_HEADS.has(head) ? `cannot find the object of this ${head} statement` : `unrecognised statement starting with "${head}"`;
  }
  return r;
}

function executedBlock(src: string, masked: string, dialect: SqlDialect): Classified {
  const r = scanAll(src, masked, dialect);
  for (const d of dynamicSql(src, masked)) {
    const inner = scanAll(d.text, maskSql(d.text, dialect), dialect);
    if (inner.objects.length === 0) {
      r.unknown = `dynamic SQL whose object cannot be determined: ${d.text.slice(0, 80)}`;
      continue;
    }
    r.reasons.push('dynamic SQL: ' + d.text.trim().slice(0, 80));
    for (const o of inner.objects) if (!r.objects.some((x) => x.type === o.type && x.name === o.name && x.action === o.action)) r.objects.push(o);
    r.reasons.push(...inner.reasons);
    r.destructive = r.destructive || inner.destructive;
  }
  // dynamic SQL held in a variable or built with format(): we cannot see what it does
  const dyn = /\bEXECUTE\s+IMMEDIATE\s+(?!')|\bEXECUTE\s+(?!IMMEDIATE\b)(?:format\s*\(|[a-z_]\w*\s*(?:;|USING\b|$))|\bEXEC(?:UTE)?\s*\(\s*@|\bsp_executesql\s+@/im.exec(masked);
  if (dyn && !r.unknown) r.unknown = 'dynamic SQL built at run time; its objects cannot be determined';
  if (!r.kind) r.kind = 'other';
  return r;
}

// ───────────────────────────── main ─────────────────────────────

function lineOf(script: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < script.length; i++) if (script[i] === '\n') line++;
  return line;
}

function kindOf(c: Classified, head: string): StatementFinding['kind'] {
  if (c.objects.some((o) => o.type !== 'data' && SCHEMA_ACTIONS.has(o.action))) return 'ddl';
  if (c.objects.some((o) => o.type === 'data')) return 'dml';
  if (c.objects.some((o) => o.action === 'grant')) return 'dcl';
  if (c.kind) return c.kind;
  if (QUERY_HEADS.has(head)) return 'query';
  if (head === 'COMMENT') return 'ddl';
  return 'other';
}

function firstWord(masked: string): string {
  const m = /^\s*([A-Za-z_]+|\()/.exec(masked);
  return m ? m[1].toUpperCase() : '';
}

function cleanParserError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const first = msg.split('\n')[0];
  return first.length > 300 ? first.slice(0, 297) + '…' : first;
}

/** Classifies a change script: statements, touched objects, schema change, destructive, unparsed. */
export function classifySql(script: string, dialect: SqlDialect): SqlClassification {
  if (!SQL_DIALECTS.includes(dialect)) throw new Error(`unsupported SQL dialect: ${String(dialect)}`);
  const masked = maskSql(script, dialect);
  const { parser, database } = parserFor(dialect);
  const statements: StatementFinding[] = [];
  const unparsed: SqlClassification['unparsed'] = [];

  splitMasked(masked, dialect)
    .filter((r) => masked.slice(r.start, r.end).trim() !== '')
    .forEach((r, k) => {
      const index = k + 1;
      const src = script.slice(r.start, r.end);
      const msk = masked.slice(r.start, r.end);
      const codeStart = msk.search(/\S/);
      const codeEnd = msk.length - (msk.length - msk.trimEnd().length);
      const text = src.slice(Math.max(0, codeStart), codeEnd).trim();
      const shown = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT - 1) + '…' : text;
      const head = firstWord(msk);
      // Parser input: comments stripped (kept as spaces) so the grammar's comment handling cannot trip.
      const parserInput = stripComments(src, msk).trim();
      let classified: Classified | null = null;
      let parseError: string | undefined;
      try {
        const res = parser.parse(parserInput, { database });
        classified = classifyAst(res.ast, src, head, dialect);
        if (classified && classified.objects.length === 0 && DDL_DML_HEADS.has(head) && head !== 'GRANT' && head !== 'REVOKE') classified = null;
        if (!classified) parseError = 'parser result not understood; classified by keywords';
      } catch (e) {
        parseError = cleanParserError(e);
      }
      const parsed = classified !== null;
      if (!classified) classified = fallbackClassify(src, msk, dialect, head);
      const objects: TouchedObject[] = classified.objects.map((o) => ({ ...o, statementIndex: index }));
      const finding: StatementFinding = {
        index,
        text: shown,
        kind: kindOf(classified, head),
        destructive: classified.destructive,
        reasons: [...new Set(classified.reasons)],
        parsed,
        objects,
      };
      if (!parsed) finding.parseError = parseError;
      if (classified.unknown) {
        const line = lineOf(script, r.start + (src.length - src.trimStart().length));
        const error = `statement ${index} (line ${line}) could not be classified: ${classified.unknown}${parseError ? `; parser: ${parseError}` : ''}`;
        finding.reasons.push('not understood: needs review');
        finding.parseError = error;
        unparsed.push({ index, text: shown, error });
      }
      statements.push(finding);
    });

  const objects = statements.flatMap((s) => s.objects);
  const schemaChange = unparsed.length > 0 || objects.some((o) => o.type !== 'data' && SCHEMA_ACTIONS.has(o.action));
  const destructive = statements.some((s) => s.destructive);
  return {
    dialect,
    statements,
    objects,
    schemaChange,
    destructive,
    unparsed,
    riskFloor: destructive ? 'high' : schemaChange ? 'medium' : 'low',
  };
}

function stripComments(src: string, masked: string): string {
  // Comments are spaces in `masked`; strings/identifiers are `_` there, so take those from `src`.
  let out = '';
  for (let i = 0; i < src.length; i++) out += masked[i] === ' ' && src[i] !== ' ' && !/\s/.test(src[i]) ? ' ' : src[i];
  return out;
}
