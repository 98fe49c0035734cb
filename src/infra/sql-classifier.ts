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
  let execComment = false;
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
    } else if (execComment && c === '*' && c2 === '/') {
      // the end of a MySQL executable comment: its content was code
      blank(i, i + 2, ' ');
      execComment = false;
      i += 2;
    } else if (c === '/' && c2 === '*') {
      const exec = dialect === 'mysql' ? /^\/\*M?!\d{0,6}/.exec(src.slice(i, i + 10)) : null;
      if (exec && !execComment) {
        // mysqldump's /*!40101 … */ and MariaDB's /*M!100100 … */ run on every server new enough: code, not a comment
        blank(i, i + exec[0].length, ' ');
        execComment = true;
        i += exec[0].length;
        continue;
      }
      const e = blockCommentEnd(src, i, dialect === 'postgresql' || dialect === 'sqlserver');
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

/** Where the block comment opening at `i` ends; PostgreSQL and SQL Server nest block comments. */
function blockCommentEnd(src: string, i: number, nested: boolean): number {
  let depth = 1;
  let j = i + 2;
  while (j < src.length) {
    if (src[j] === '*' && src[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0 || !nested) return j;
    } else if (nested && src[j] === '/' && src[j + 1] === '*') {
      depth++;
      j += 2;
    } else j++;
  }
  return src.length;
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
  // T-SQL session temporary tables (#t) are left to the keyword fallback, which knows they change no schema.
  if (dialect === 'sqlserver' && /(^|[\s.[(,])#/.test(stmt.replace(/'[^']*'/g, "''"))) return null;
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
/** `ON COMMIT DELETE ROWS` of a temporary table definition is not a DELETE. */
const ON_COMMIT = /\bON\s+COMMIT\s*$/i;
const TERMINATORS = new Set([
  'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'GRANT', 'REVOKE', 'END', 'ELSE',
  'ELSIF', 'EXEC', 'EXECUTE', 'COMMIT', 'ROLLBACK', 'IF', 'BEGIN', 'GO', 'RETURN', 'DECLARE', 'PRINT', 'SELECT',
]);

/**
 * Statements understood by their first word alone: session settings, transactions, output, maintenance. Anything
 * else the fallback cannot attribute to an object is not understood and goes to a person (fail closed).
 */
const HARMLESS_HEADS = new Set([
  'USE', 'SET', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'PRINT', 'ANALYZE', 'VACUUM', 'EXPLAIN', 'SHOW', 'DESC',
  'DESCRIBE', 'LOCK', 'UNLOCK', 'START', 'BEGIN', 'RAISERROR', 'THROW', 'WAITFOR', 'COMMENT', 'REINDEX',
  'CHECKPOINT', 'REFRESH', 'CLUSTER', 'NOTIFY', 'LISTEN', 'DISCARD', 'RESET', 'FLUSH', 'OPTIMIZE', 'DEALLOCATE',
]);
/** Heads of executed blocks: their content decides. */
const BLOCK_HEADS = new Set(['DECLARE', 'BEGIN', 'IF', 'WHILE', 'DO']);
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

/** T-SQL `#t` / `##t`: a temporary table of the session, gone when it ends; creating or dropping it changes no schema. */
function isSessionTemp(name: string, dialect: SqlDialect): boolean {
  return dialect === 'sqlserver' && /(^|\.)#/.test(name);
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
    if (isSessionTemp(o.name, dialect)) {
      res.reasons.push(`${o.action} of the session's temporary table ${o.name}`);
      res.kind = res.kind ?? 'other';
      return;
    }
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
      if (!isSessionTemp(normaliseName(raw, dialect), dialect)) added = true;
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
    if (isSessionTemp(nm(m, 1), dialect)) continue;
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
      if (action === 'delete' && ON_COMMIT.test(before)) continue;
      const after = masked.slice(m.index + m[0].length, m.index + m[0].length + 20);
      if (action === 'delete' && /^\s*(ON|OR|,)/i.test(after)) continue;
      add({ type: 'data', name: nm(m, 1), action });
      if (isSessionTemp(nm(m, 1), dialect)) continue;
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
  // T-SQL: SELECT … INTO <table> always creates a table (variables are assigned with SELECT @v = …)
  if (dialect === 'sqlserver') {
    for (const t of selectIntoTargets(src, masked, dialect)) {
      if (t.temporary) res.reasons.push(`SELECT … INTO creates the temporary table ${t.name}`);
      else add({ type: 'table', name: t.name, action: 'create' });
    }
  }
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

// ───────────────────────────── what a statement runs that cannot be seen (fail closed) ─────────────

/** What the script defined so far: routines created earlier can be resolved when a later statement calls them. */
interface ScriptContext {
  dialect: SqlDialect;
  /** Lower-cased routine name (qualified and bare) → what its body does when it runs. */
  routines: Map<string, Classified>;
  /** Dynamic SQL nests (EXEC of a literal that EXECs a literal…); past this depth it is not followed. */
  depth: number;
  /** Set when something runs SQL text that cannot be seen: the script's SQL-building literals are then read too. */
  runsHiddenSql?: boolean;
  /** Literal texts already classified as the argument of an EXEC, so they are not read twice. */
  consumed?: Set<string>;
}
const MAX_DYNAMIC_DEPTH = 4;

function addUnknown(c: Classified, why: string): void {
  if (!c.unknown) c.unknown = why;
  else if (!c.unknown.includes(why)) c.unknown = `${c.unknown}; ${why}`;
}

function mergeInto(into: Classified, from: Classified, prefix = ''): void {
  for (const o of from.objects) if (!into.objects.some((x) => x.type === o.type && x.name === o.name && x.action === o.action)) into.objects.push(o);
  into.reasons.push(...from.reasons.map((r) => prefix + r));
  into.destructive = into.destructive || from.destructive;
  if (from.unknown) addUnknown(into, prefix + from.unknown);
}

interface Literal {
  /** Offsets of the literal, quotes (and N/E/q prefix) included. */
  start: number;
  end: number;
  text: string;
}

/** The string literals of a statement, unescaped (`''`, MySQL's backslashes, Oracle's q'[…]'). */
function literalsIn(src: string, masked: string, dialect: SqlDialect): Literal[] {
  const out: Literal[] = [];
  const re = /'([_\r\n]*)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    const prev = masked[m.index - 1] ?? '';
    const raw = src.slice(m.index + 1, m.index + 1 + m[1].length);
    let text: string;
    let start = m.index;
    if (dialect === 'oracle' && /[qQ]/.test(prev) && !isIdentChar(masked[m.index - 2] ?? '')) {
      text = raw.slice(1, -1);
      start -= 1;
    } else {
      text = raw.replace(/''/g, "'");
      if (dialect === 'mysql' || ((prev === 'E' || prev === 'e') && dialect === 'postgresql')) text = text.replace(/\\(.)/g, '$1');
      if (/[NnEe]/.test(prev) && !isIdentChar(masked[m.index - 2] ?? '')) start -= 1;
    }
    out.push({ start, end: m.index + m[0].length, text });
  }
  return out;
}

const SQL_VERB = /^\s*(CREATE|ALTER|DROP|TRUNCATE|DELETE|UPDATE|INSERT|MERGE|RENAME|GRANT|REVOKE|DENY|EXEC|EXECUTE|CALL|SELECT|WITH|SP_RENAME|DBCC|PURGE)\b/i;

/**
 * The value of a string expression when it is made only of literals (joined by `+`, `||` or CONCAT(…)), else null;
 * with every literal part, so that a concatenated `'DROP TABLE ' + @name` still shows what kind of statement it builds.
 */
function stringValue(src: string, masked: string, dialect: SqlDialect): { text: string | null; parts: string[] } {
  let s = src;
  let m = masked;
  // unwrap (…) and CONCAT(…)
  for (;;) {
    const t = m.trim();
    const lead = m.length - m.trimStart().length;
    const concat = /^CONCAT\s*\(/i.exec(t);
    const open = t.startsWith('(') ? 1 : concat ? concat[0].length : 0;
    if (!open || matchingParen(t, open - 1) !== t.length - 1) break;
    s = s.slice(lead + open, lead + t.length - 1);
    m = m.slice(lead + open, lead + t.length - 1);
    if (concat) {
      const inner = m;
      m = inner.replace(/,/g, (c, i: number) => (depthAt(inner, i) === 0 ? '+' : c));
    }
  }
  const pieces: { s: string; m: string }[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === '+' || (c === '|' && m[i + 1] === '|'))) {
      pieces.push({ s: s.slice(from, i), m: m.slice(from, i) });
      if (c === '|') i++;
      from = i + 1;
    }
  }
  pieces.push({ s: s.slice(from), m: m.slice(from) });
  const parts: string[] = [];
  let whole = true;
  for (const p of pieces) {
    const lits = literalsIn(p.s, p.m, dialect);
    const onlyLiteral = lits.length === 1 && /^\s*(?:[NnEeQq])?$/.test(p.m.slice(0, lits[0].start)) && p.m.slice(lits[0].end).trim() === '';
    if (onlyLiteral) parts.push(lits[0].text);
    else {
      whole = false;
      for (const l of lits) parts.push(l.text);
      if (lits.length === 0) parts.push('');
    }
  }
  return { text: whole ? parts.join('') : null, parts };
}

function matchingParen(m: string, open: number): number {
  let depth = 0;
  for (let i = open; i < m.length; i++) {
    if (m[i] === '(') depth++;
    else if (m[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function depthAt(m: string, at: number): number {
  let d = 0;
  for (let i = 0; i < at; i++) if (m[i] === '(') d++;
  else if (m[i] === ')') d--;
  return d;
}

/** Classifies SQL that a statement runs as text, with the same rules as a script. */
function classifyDynamic(text: string, ctx: ScriptContext, label: string): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  if (ctx.depth >= MAX_DYNAMIC_DEPTH) {
    addUnknown(out, `${label} nests dynamic SQL more than ${MAX_DYNAMIC_DEPTH} levels deep`);
    return out;
  }
  const inner = classifyStatements(text, ctx.dialect, { ...ctx, depth: ctx.depth + 1 });
  if (inner.length === 0) return out;
  out.reasons.push(`${label}: ${text.trim().replace(/\s+/g, ' ').slice(0, 80)}`);
  for (const st of inner) {
    mergeInto(out, st.classified);
    if (st.classified.kind === 'dcl') out.kind = 'dcl';
  }
  return out;
}

/**
 * The literal start of SQL built at run time: `'DROP TABLE ' + @name` drops something whatever the name turns out to
 * be (destructive), and what it drops cannot be seen (review).
 */
function builtSqlFindings(parts: string[], label: string, dialect: SqlDialect): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  const head = parts.find((p) => p.trim() !== '') ?? '';
  addUnknown(out, `${label} runs SQL built at run time${head ? ` ("${head.trim().slice(0, 60)}…")` : ''}; what it touches cannot be seen`);
  const all = parts.join(' ');
  const verb = /^\s*(DROP|TRUNCATE|DELETE|ALTER|CREATE|RENAME|UPDATE|INSERT|MERGE|GRANT|REVOKE)\b(?:\s+(?:(?:MATERIALIZED|GLOBAL|TEMPORARY|UNIQUE|CLUSTERED|NONCLUSTERED)\s+)*(TABLE|VIEW|INDEX|PROCEDURE|PROC|FUNCTION|TRIGGER|SEQUENCE|SCHEMA|DATABASE|SYNONYM|PACKAGE|TYPE|FROM|INTO))?/i.exec(head);
  if (verb) {
    const v = verb[1].toUpperCase();
    const what = (verb[2] ?? '').toUpperCase();
    const type: SchemaObjectType | 'data' = v === 'DELETE' || v === 'UPDATE' || v === 'INSERT' || v === 'MERGE' ? 'data' : what && !['FROM', 'INTO'].includes(what) ? typeFromKeyword(what) : 'table';
    const action = ({ DROP: 'drop', TRUNCATE: 'truncate', DELETE: 'delete', ALTER: 'alter', CREATE: 'create', RENAME: 'rename', UPDATE: 'update', INSERT: 'insert', MERGE: 'merge', GRANT: 'grant', REVOKE: 'grant' } as const)[v as 'DROP'];
    out.objects.push({ type, name: '(name built at run time)', action });
    if (v === 'DROP' || v === 'TRUNCATE' || (v === 'DELETE' && !/\bWHERE\b/i.test(all)) || (v === 'ALTER' && /\bDROP\b/i.test(all))) {
      out.destructive = true;
      out.reasons.push(`dynamic ${v}${what ? ' ' + what : ''} of a name built at run time`);
    }
  }
  void dialect;
  return out;
}

/** System procedures whose effect is known and harmless to the schema (metadata, statistics, output). */
const KNOWN_PROCEDURES = new Set([
  'sp_addextendedproperty', 'sp_updateextendedproperty', 'sp_dropextendedproperty', 'sp_rename', 'sp_help', 'sp_helptext',
  'sp_helpindex', 'sp_spaceused', 'sp_who', 'sp_who2', 'sp_refreshview', 'sp_recompile', 'sp_updatestats', 'sp_lock',
  'dbms_output.put_line', 'dbms_output.put', 'dbms_output.new_line', 'dbms_output.enable', 'dbms_output.disable',
  'dbms_stats.gather_table_stats', 'dbms_stats.gather_schema_stats', 'dbms_stats.gather_index_stats', 'dbms_lock.sleep',
  'dbms_session.sleep', 'dbms_application_info.set_module', 'dbms_application_info.set_action', 'raise_application_error',
]);

/** PostgreSQL functions (and keywords that take parentheses) that change nothing. */
const PG_PURE_FUNCTIONS = new Set(
  `count sum avg min max coalesce nullif greatest least lower upper length char_length octet_length substr substring trim
  btrim ltrim rtrim replace translate concat concat_ws format to_char to_date to_timestamp to_number now current_date
  current_timestamp localtimestamp clock_timestamp statement_timestamp date_trunc date_part extract age round trunc floor
  ceil ceiling abs mod power sqrt exp ln log random string_agg array_agg json_agg jsonb_agg json_build_object
  jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb row_to_json jsonb_set row_number rank dense_rank
  ntile lag lead first_value last_value version current_user session_user current_schema current_database md5 sha256
  split_part position strpos left right lpad rpad repeat reverse regexp_replace regexp_matches regexp_match
  regexp_split_to_table regexp_split_to_array initcap cast generate_series unnest array_length array_position
  cardinality pg_size_pretty pg_total_relation_size pg_relation_size pg_table_size pg_indexes_size obj_description
  col_description has_table_privilege has_schema_privilege quote_ident quote_literal quote_nullable gen_random_uuid
  uuid_generate_v4 bool_and bool_or every nextval currval setval set_config current_setting pg_sleep
  pg_backend_pid pg_typeof format_type to_regclass exists in any all some values over filter within array row numeric
  decimal varchar char character timestamp timestamptz time interval bit float double date int integer bigint
  smallint text boolean nullif make_date make_timestamp date_bin justify_days isfinite encode decode convert
  convert_from convert_to chr ascii bit_length starts_with string_to_array array_to_string array_cat array_append
  array_remove jsonb_array_elements json_array_elements jsonb_each json_each jsonb_object_keys jsonb_typeof
  percentile_cont percentile_disc stddev variance corr width_bucket using on lateral and or not is case`
    .split(/\s+/)
    .filter(Boolean),
);

/** Functions a PostgreSQL statement calls that are not known to be pure: they may do anything, even DDL. */
function pgCalledFunctions(masked: string, src: string): string[] {
  const out: string[] = [];
  const re = new RegExp(String.raw`(${NAME})\s*\(`, 'giu');
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    const raw = src.slice(m.index, m.index + m[1].length);
    const name = normaliseName(raw, 'postgresql');
    const parts = name.split('.');
    const base = parts[parts.length - 1];
    if (parts.length === 1 && PG_PURE_FUNCTIONS.has(base)) continue;
    if (parts.length === 2 && parts[0] === 'pg_catalog' && PG_PURE_FUNCTIONS.has(base)) continue;
    // `INTO t(a, b)`, `TABLE t(…)`: a column list, not a call
    if (/\b(INTO|TABLE|ON|REFERENCES|JOIN|FROM|UPDATE|INSERT)\s*$/i.test(masked.slice(Math.max(0, m.index - 20), m.index))) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** What calling a routine does: known system procedures, routines defined earlier in the script, else unknown. */
function callFindings(rawName: string, ctx: ScriptContext, argsSrc: string, argsMasked: string): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  if (rawName.startsWith('@')) {
    ctx.runsHiddenSql = true;
    addUnknown(out, `EXEC ${rawName} runs a procedure named at run time`);
    return out;
  }
  const name = normaliseName(rawName, ctx.dialect).toLowerCase();
  const parts = name.split('.').filter(Boolean);
  const base = parts[parts.length - 1] ?? name;
  const qualifiedKnown = parts.slice(-2).join('.');
  if (base === 'sp_executesql') {
    // the statement is the first argument, positional or @stmt = / @statement =
    const stmt = /^\s*(?:@\w+\s*=\s*)?/.exec(argsMasked)![0].length;
    const comma = topLevelComma(argsMasked, stmt);
    const v = stringValue(argsSrc.slice(stmt, comma), argsMasked.slice(stmt, comma), ctx.dialect);
    for (const p of v.parts) ctx.consumed?.add(p);
    if (v.text !== null) return classifyDynamic(v.text, ctx, 'sp_executesql');
    ctx.runsHiddenSql = true;
    return builtSqlFindings(v.parts, 'sp_executesql', ctx.dialect);
  }
  if (base === 'sp_msforeachtable' || base === 'sp_msforeachdb') {
    const every = base === 'sp_msforeachtable' ? '(every table)' : '(every database)';
    addUnknown(out, `${rawName.trim()} runs its command on ${every.slice(1, -1)} (an undocumented procedure)`);
    // the command may be 'quoted' or, with QUOTED_IDENTIFIER OFF as in many old scripts, "quoted"
    const doubleQuoted = [...argsMasked.matchAll(/"([_\r\n]*)"/g)].map((q) => ({ text: argsSrc.slice(q.index! + 1, q.index! + 1 + q[1].length).replace(/""/g, '"') }));
    for (const lit of [...literalsIn(argsSrc, argsMasked, ctx.dialect), ...doubleQuoted]) {
      if (!SQL_VERB.test(lit.text)) continue;
      const inner = classifyDynamic(lit.text.replace(/\?/g, 'each_target'), ctx, base);
      inner.objects = inner.objects.map((o) => ({ ...o, name: o.name.replace(/\[?each_target\]?/gi, every) }));
      mergeInto(out, inner);
    }
    return out;
  }
  if (KNOWN_PROCEDURES.has(base) || KNOWN_PROCEDURES.has(qualifiedKnown)) return out;
  const body = ctx.routines.get(name) ?? ctx.routines.get(base);
  if (body) {
    mergeInto(out, body, `${rawName.trim()} (defined above) `);
    return out;
  }
  addUnknown(out, `calls ${rawName.trim()}, whose effects cannot be seen here`);
  return out;
}

function topLevelComma(m: string, from: number): number {
  let depth = 0;
  for (let i = from; i < m.length; i++) {
    if (m[i] === '(') depth++;
    else if (m[i] === ')') depth--;
    else if (m[i] === ',' && depth === 0) return i;
  }
  return m.length;
}

const CALLABLE = String.raw`@?${NAME}`;
const EXEC_PAREN_RE = /\bEXEC(?:UTE)?\s*\(/giu;
const EXEC_IMMEDIATE_RE = /\bEXECUTE\s+IMMEDIATE\b/giu;
const EXEC_NAME_RE = new RegExp(String.raw`\bEXEC(?:UTE)?\s+(?!IMMEDIATE\b)(?:@[\p{L}\p{N}_@#$]+\s*=\s*)?(${CALLABLE})`, 'giu');
const CALL_RE = new RegExp(String.raw`\bCALL\s+(${NAME})`, 'giu');
const PREPARE_RE = /\bPREPARE\s+[\p{L}\p{N}_$]+\s+FROM\s+/giu;
/** A private copy of a global regex: dynamic SQL is classified recursively, and shared lastIndex state would loop. */
const fresh = (re: RegExp): RegExp => new RegExp(re.source, re.flags);
const DYNAMIC_END = new Set(['INTO', 'USING', 'RETURNING', 'RETURN', 'BULK', ...TERMINATORS]);

/**
 * Everything a statement executes as text or by calling a routine: literal dynamic SQL is classified like a script;
 * SQL built at run time, unknown procedures and prepared statements are not understood (S4: a person reviews them).
 */
function executionFindings(src: string, masked: string, ctx: ScriptContext, inBlock: boolean): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  const dialect = ctx.dialect;
  const seen = new Set<number>();
  let m: RegExpExecArray | null;
  const dynamic = (exprStart: number, exprEnd: number, label: string): void => {
    const v = stringValue(src.slice(exprStart, exprEnd), masked.slice(exprStart, exprEnd), dialect);
    for (const p of v.parts) ctx.consumed?.add(p);
    if (v.text !== null) mergeInto(out, classifyDynamic(v.text, ctx, label));
    else {
      ctx.runsHiddenSql = true;
      mergeInto(out, builtSqlFindings(v.parts, label, dialect));
    }
  };

  const exec_immediate = fresh(EXEC_IMMEDIATE_RE);
  while ((m = exec_immediate.exec(masked))) {
    seen.add(m.index);
    const from = m.index + m[0].length;
    dynamic(from, clauseEnd(masked, from, DYNAMIC_END), 'EXECUTE IMMEDIATE');
  }
  const exec_paren = fresh(EXEC_PAREN_RE);
  while ((m = exec_paren.exec(masked))) {
    seen.add(m.index);
    const open = m.index + m[0].length - 1;
    const close = matchingParen(masked, open);
    dynamic(open + 1, close < 0 ? masked.length : close, 'EXEC');
  }
  const exec_name = fresh(EXEC_NAME_RE);
  while ((m = exec_name.exec(masked))) {
    if (seen.has(m.index)) continue;
    const nameStart = m.index + m[0].length - m[1].length;
    const raw = src.slice(nameStart, nameStart + m[1].length);
    if (dialect === 'postgresql') {
      if (inBlock) {
        // PL/pgSQL EXECUTE <string expression> [INTO …] [USING …]
        dynamic(nameStart, clauseEnd(masked, nameStart, DYNAMIC_END), 'EXECUTE');
      } else {
        ctx.runsHiddenSql = true;
        addUnknown(out, `EXECUTE ${raw} runs a prepared statement whose text is not in this script`);
      }
      continue;
    }
    if (dialect === 'mysql') {
      ctx.runsHiddenSql = true;
      addUnknown(out, `EXECUTE ${raw} runs a prepared statement`);
      continue;
    }
    const argsStart = nameStart + m[1].length;
    const argsEnd = clauseEnd(masked, argsStart, TERMINATORS);
    mergeInto(out, callFindings(raw, ctx, src.slice(argsStart, argsEnd), masked.slice(argsStart, argsEnd)));
  }
  // PL/pgSQL EXECUTE '…' / EXECUTE format(…): the expression starts with a quote or a call, not a name
  if (dialect === 'postgresql' && inBlock) {
    const re = /\bEXECUTE\s+(?=['(]|format\s*\(|E')/giu;
    while ((m = re.exec(masked))) {
      if (seen.has(m.index)) continue;
      const from = m.index + m[0].length;
      dynamic(from, clauseEnd(masked, from, DYNAMIC_END), 'EXECUTE');
    }
  }
  const call = fresh(CALL_RE);
  while ((m = call.exec(masked))) {
    const nameStart = m.index + m[0].length - m[1].length;
    const raw = src.slice(nameStart, nameStart + m[1].length);
    mergeInto(out, callFindings(raw, ctx, '', ''));
  }
  if (dialect === 'mysql') {
    const prepare = fresh(PREPARE_RE);
    while ((m = prepare.exec(masked))) {
      const from = m.index + m[0].length;
      dynamic(from, clauseEnd(masked, from, TERMINATORS), 'PREPARE');
    }
  }
  if (dialect === 'oracle' && /\bDBMS_SQL\s*\.\s*PARSE\b/i.test(masked)) {
    ctx.runsHiddenSql = true;
    addUnknown(out, 'DBMS_SQL.PARSE runs SQL built at run time');
  }
  if (inBlock) mergeInto(out, blockCallFindings(src, masked, ctx));
  return out;
}

const BLOCK_KEYWORDS = new Set(
  `NULL RETURN EXIT CONTINUE RAISE COMMIT ROLLBACK SAVEPOINT END IF ELSIF ELSEIF WHEN CASE FOR FOREACH WHILE LOOP OPEN
  FETCH CLOSE GOTO EXECUTE EXEC SELECT WITH INSERT UPDATE DELETE MERGE GET CURSOR TYPE SUBTYPE PRAGMA PROCEDURE FUNCTION
  EXCEPTION DECLARE BEGIN ELSE THEN LOCK SET CREATE ALTER DROP TRUNCATE GRANT REVOKE ASSERT FORALL PIPE RENAME COMMENT
  CALL DO USE PRINT ANALYZE VACUUM REFRESH REINDEX NOTIFY DEALLOCATE PREPARE MOVE LISTEN IS AS`
    .split(/\s+/)
    .filter(Boolean),
);

/** Blanks CASE … END expressions (not CASE … END CASE statements), whose THEN/ELSE branches are values, not calls. */
function blankCaseExpressions(m: string): string {
  const out = m.split('');
  const re = /\b(CASE|END)\b/gi;
  const stack: number[] = [];
  let k: RegExpExecArray | null;
  while ((k = re.exec(m))) {
    if (k[1].toUpperCase() === 'CASE') {
      if (/\bEND\s*$/i.test(m.slice(Math.max(0, k.index - 10), k.index))) continue;
      stack.push(k.index);
    } else if (stack.length) {
      const after = m.slice(k.index + 3, k.index + 12);
      const start = stack.pop()!;
      if (/^\s*CASE\b/i.test(after)) continue;
      for (let i = start; i < k.index + 3; i++) if (out[i] !== '\n') out[i] = ' ';
      out[start] = '0';
    }
  }
  return out.join('');
}

/**
 * Procedure calls written as bare statements inside PL/SQL and PL/pgSQL blocks (`pkg.rebuild(1);`), and PERFORM of
 * functions in PL/pgSQL: what they do is not in the script unless it defined them.
 */
function blockCallFindings(src: string, masked: string, ctx: ScriptContext): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  const m = blankCaseExpressions(masked);
  const sep = /;|\b(?:BEGIN|THEN|ELSE|LOOP|DECLARE|EXCEPTION)\b/gi;
  let from = 0;
  const pieces: [number, number][] = [];
  let k: RegExpExecArray | null;
  while ((k = sep.exec(m))) {
    pieces.push([from, k.index]);
    from = k.index + k[0].length;
  }
  pieces.push([from, m.length]);
  const head = new RegExp(String.raw`^(?:<<\s*[\p{L}_][\p{L}\p{N}_]*\s*>>\s*)*(${NAME})`, 'u');
  for (const [a, b] of pieces) {
    const piece = m.slice(a, b);
    const lead = piece.length - piece.trimStart().length;
    const t = piece.trimStart();
    const hm = head.exec(t);
    if (!hm) continue;
    const word = hm[1].toUpperCase();
    if (word === 'PERFORM' && ctx.dialect === 'postgresql') {
      const off = a + lead + hm[0].length;
      for (const fn of pgCalledFunctions(m.slice(off, b), src.slice(off, b))) mergeInto(out, callFindings(fn, ctx, '', ''));
      continue;
    }
    if (BLOCK_KEYWORDS.has(word) || /^[\d_]/.test(word)) continue;
    const rest = t.slice(hm[0].length);
    let after = rest.trimStart();
    if (after.startsWith('(')) {
      const close = matchingParen(after, 0);
      after = close < 0 ? '' : after.slice(close + 1).trimStart();
      if (after.startsWith(':=') || after.startsWith('=') || after.startsWith('.')) continue; // arr(i) := …
    } else if (after !== '') continue; // `v_count NUMBER := 0` (a declaration) or `x := 1` (an assignment)
    if (after !== '') continue;
    const nameStart = a + lead + hm[0].length - hm[1].length;
    mergeInto(out, callFindings(src.slice(nameStart, nameStart + hm[1].length), ctx, '', ''));
  }
  return out;
}

// ───────────────────────────── keyword fallback for whole statements ─────────────

const STORED_CODE_HEAD =
  /^CREATE\s+(?:OR\s+(?:REPLACE|ALTER)\s+)?(?:(?:NON)?EDITIONABLE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(PROCEDURE|PROC|FUNCTION|TRIGGER|PACKAGE(?:\s+BODY)?|TYPE\s+BODY|EVENT)\b|^ALTER\s+(PROCEDURE|PROC|FUNCTION|TRIGGER)\b/i;

/** Statements understood by their shape: session settings and key maintenance switches change no schema. */
function knownShape(masked: string, dialect: SqlDialect): Classified | null {
  const t = masked.trim();
  const none = (reason?: string): Classified => ({ kind: 'other', destructive: false, reasons: reason ? [reason] : [], objects: [] });
  if (dialect === 'oracle' && /^ALTER\s+SESSION\s+(SET|ENABLE|DISABLE|FORCE|ADVISE|CLOSE)\b/i.test(t)) return none();
  if (dialect === 'mysql' && new RegExp(String.raw`^ALTER\s+TABLE\s+${NAME}\s+(DISABLE|ENABLE)\s+KEYS$`, 'iu').test(t)) return none();
  if (/^SET\s+(GLOBAL|PERSIST|PERSIST_ONLY)\b/i.test(t) || /^SET\s+@@(GLOBAL|PERSIST)/i.test(t)) {
    return { ...none(), unknown: 'SET GLOBAL changes the server configuration for every session' };
  }
  return null;
}

function fallbackClassify(src: string, masked: string, ctx: ScriptContext, head: string): Classified {
  const dialect = ctx.dialect;
  const trimmedMasked = masked.trimStart();
  const lead = masked.length - trimmedMasked.length;
  const shape = knownShape(masked, dialect);
  if (shape) return shape;
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
    const bodyMasked = masked.slice(0, lead) + ' '.repeat(stored[0].length) + masked.slice(lead + stored[0].length);
    const body = scanAll(src, bodyMasked, dialect);
    const bodyRisk = body.reasons.filter((x) => /DROP|TRUNCATE|without WHERE|DELETE/i.test(x));
    if (bodyRisk.length > 0) reasons.push(`body contains (runs when called): ${[...new Set(bodyRisk)].join('; ')}`);
    if (objects.length === 0) return { destructive: false, reasons, objects, unknown: `cannot find the name of the ${kw}` };
    // What the body does when a later statement of this script calls it.
    if (kw === 'PROCEDURE' || kw === 'PROC' || kw === 'FUNCTION') {
      const runs = executedBlock(src, bodyMasked, ctx, false);
      for (const key of [objects[0].name.toLowerCase(), objects[0].name.toLowerCase().split('.').pop() as string]) ctx.routines.set(key, runs);
    }
    return { kind: 'ddl', destructive: false, reasons, objects };
  }
  // PostgreSQL DO $$ … $$: the body is executed now
  if (dialect === 'postgresql' && /^DO\b/i.test(trimmedMasked)) {
    const dm = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(src.slice(lead));
    if (dm) {
      const bStart = lead + dm.index + dm[0].length;
      const bEnd = src.indexOf(dm[0], bStart);
      const body = src.slice(bStart, bEnd < 0 ? src.length : bEnd);
      const r = executedBlock(body, maskSql(body, 'postgresql'), ctx, true);
      r.reasons.unshift('DO block: its statements run now');
      return r;
    }
    return { destructive: false, reasons: [], objects: [], unknown: 'DO block without a dollar-quoted body' };
  }
  if (BLOCK_HEADS.has(head) && !/^BEGIN\s+(TRAN|TRANSACTION|WORK|DISTRIBUTED)\b/i.test(trimmedMasked) && !/^BEGIN\s*;?\s*$/i.test(trimmedMasked)) {
    return executedBlock(src, masked, ctx, dialect === 'oracle' || dialect === 'postgresql');
  }
  const r = scanAll(src, masked, dialect);
  if (head === 'PURGE') {
    r.destructive = true;
    r.reasons.push('PURGE removes dropped objects for good (no flashback)');
    r.kind = 'ddl';
    return r;
  }
  if (r.objects.length === 0 && !r.kind) {
    if (QUERY_HEADS.has(head)) r.kind = 'query';
    else if (HARMLESS_HEADS.has(head)) r.kind = 'other';
    else if (head === 'EXEC' || head === 'EXECUTE' || head === 'CALL') r.kind = 'other';
    else r.unknown = DDL_DML_HEADS.has(head) ? `cannot find the object of this ${head} statement` : `unrecognised statement starting with "${head}"`;
  }
  return r;
}

/** A block that runs now (anonymous PL/SQL, T-SQL batch, DO body): its DML, DDL, dynamic SQL and calls. */
function executedBlock(src: string, masked: string, ctx: ScriptContext, bareCalls: boolean): Classified {
  const r = scanAll(src, masked, ctx.dialect);
  mergeInto(r, executionFindings(src, masked, ctx, bareCalls));
  if (!r.kind) r.kind = 'other';
  return r;
}

/** T-SQL `SELECT … INTO dbo.t FROM …` and PostgreSQL's top-level `SELECT … INTO [TEMP] t FROM …` create tables. */
function selectIntoTargets(src: string, masked: string, dialect: SqlDialect): { name: string; temporary: boolean }[] {
  const out: { name: string; temporary: boolean }[] = [];
  const re = /\bSELECT\b/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    let depth = 0;
    let i = m.index + m[0].length;
    while (i < masked.length) {
      const c = masked[i];
      if (c === '(') depth++;
      else if (c === ')') {
        if (--depth < 0) break;
      } else if (c === ';' && depth === 0) break;
      else if (depth === 0 && /[A-Za-z]/.test(c) && !isIdentChar(masked[i - 1] ?? '')) {
        let j = i;
        while (j < masked.length && isIdentChar(masked[j])) j++;
        const w = masked.slice(i, j).toUpperCase();
        if (['FROM', 'WHERE', 'UNION', 'GROUP', 'ORDER', 'HAVING', 'EXCEPT', 'INTERSECT', 'SELECT'].includes(w)) break;
        if (w === 'INTO') {
          const tm = new RegExp(String.raw`^\s+(?:(TEMP|TEMPORARY|UNLOGGED)\s+)?(?:TABLE\s+)?(${NAME})`, 'iu').exec(masked.slice(j));
          if (tm && !tm[2].startsWith('@') && !/^(OUTFILE|DUMPFILE)$/i.test(tm[2])) {
            const at = j + tm[0].length - tm[2].length;
            const raw = src.slice(at, at + tm[2].length);
            const temporary = (!!tm[1] && /^TEMP/i.test(tm[1])) || raw.startsWith('#');
            if (dialect !== 'oracle' && dialect !== 'mysql') out.push({ name: normaliseName(raw, dialect), temporary });
          }
          break;
        }
        i = j;
        continue;
      }
      i++;
    }
  }
  return out;
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

interface StatementResult {
  start: number;
  end: number;
  src: string;
  masked: string;
  head: string;
  classified: Classified;
  parsed: boolean;
  parseError?: string;
}

/** One statement: the parser where it understands it, else the keyword fallback; then whatever it executes as text. */
function classifyOne(src: string, msk: string, ctx: ScriptContext): Omit<StatementResult, 'start' | 'end'> {
  const dialect = ctx.dialect;
  const { parser, database } = parserFor(dialect);
  const head = firstWord(msk);
  // Parser input: comments stripped (kept as spaces) so the grammar's comment handling cannot trip.
  const parserInput = stripComments(src, msk).trim();
  let classified: Classified | null = knownShape(msk, dialect);
  let parseError: string | undefined = classified ? 'classified by its shape' : undefined;
  if (!classified) try {
    const res = parser.parse(parserInput, { database });
    classified = classifyAst(res.ast, src, head, dialect);
    if (classified && classified.objects.length === 0 && DDL_DML_HEADS.has(head) && head !== 'GRANT' && head !== 'REVOKE') classified = null;
    if (!classified) parseError = 'parser result not understood; classified by keywords';
  } catch (e) {
    parseError = cleanParserError(e);
  }
  const parsed = classified !== null && parseError === undefined;
  if (!classified) classified = fallbackClassify(src, msk, ctx, head);
  const definition = STORED_CODE_HEAD.test(msk.trimStart());
  // Dynamic SQL and calls run now, whatever the grammar made of the statement (a routine's body runs later).
  if (!definition && !['GRANT', 'REVOKE', 'DENY'].includes(head) && !(BLOCK_HEADS.has(head) && !parsed)) {
    mergeInto(classified, executionFindings(src, msk, ctx, false));
  }
  // PostgreSQL: `SELECT … INTO t` makes a table; `SELECT f()` runs whatever f does.
  if (dialect === 'postgresql' && (head === 'SELECT' || head === 'WITH' || head === 'VALUES' || head === '(')) {
    for (const t of selectIntoTargets(src, msk, dialect)) addSelectInto(classified, t);
    for (const fn of pgCalledFunctions(msk, src)) mergeInto(classified, callFindings(fn, ctx, '', ''));
  }
  return { src, masked: msk, head, classified, parsed, parseError };
}

/**
 * When the script runs SQL it builds at run time, the SQL text it builds shows what will run: a literal assigned to a
 * variable (`@s = N'ALTER …'`, `v := 'DROP …'`) is classified as SQL; one that starts a concatenation
 * (`'DROP TABLE ' + @t`, `CONCAT('DROP TABLE ', @t)`) names the kind of statement and marks a DROP destructive.
 */
function sqlBuildingLiterals(src: string, masked: string, ctx: ScriptContext): Classified {
  const out: Classified = { destructive: false, reasons: [], objects: [] };
  for (const lit of literalsIn(src, masked, ctx.dialect)) {
    if (!SQL_VERB.test(lit.text) || ctx.consumed?.has(lit.text)) continue;
    const after = masked.slice(lit.end, lit.end + 8);
    const before = masked.slice(Math.max(0, lit.start - 60), lit.start);
    if (/(\+|\|\|)\s*$/.test(before)) continue; // the tail of a concatenation
    const startsConcat = /^\s*(\+|\|\|)/.test(after) || (/CONCAT\s*\(\s*$/i.test(before) && /^\s*,/.test(after));
    const assigned = /(@[\p{L}\p{N}_@#$]*(\s+[\p{L}\p{N}_]+(\s*\([^()]*\))?)?\s*=|:=)\s*$/u.test(before) || /\bSET\s+@?[\p{L}\p{N}_@#$]+\s*=\s*$/iu.test(before);
    if (startsConcat) {
      const built = builtSqlFindings([lit.text], 'the script', ctx.dialect);
      built.unknown = undefined; // building the text runs nothing; the statement that runs it is already flagged
      mergeInto(out, built);
    } else if (assigned) {
      const inner = classifyDynamic(lit.text, ctx, 'SQL text held in a variable');
      inner.unknown = undefined;
      mergeInto(out, inner);
    }
  }
  return out;
}

function addSelectInto(c: Classified, t: { name: string; temporary: boolean }): void {
  if (t.temporary) {
    c.reasons.push(`SELECT … INTO creates the temporary table ${t.name}`);
    return;
  }
  if (!c.objects.some((o) => o.type === 'table' && o.name === t.name && o.action === 'create')) c.objects.push({ type: 'table', name: t.name, action: 'create' });
  c.reasons.push(`SELECT … INTO creates the table ${t.name}`);
}

/** Splits and classifies a script (or the text of dynamic SQL) statement by statement, in order. */
function classifyStatements(script: string, dialect: SqlDialect, ctx: ScriptContext): StatementResult[] {
  const masked = maskSql(script, dialect);
  return splitMasked(masked, dialect)
    .filter((r) => masked.slice(r.start, r.end).trim() !== '')
    .map((r) => ({ start: r.start, end: r.end, ...classifyOne(script.slice(r.start, r.end), masked.slice(r.start, r.end), ctx) }));
}

/**
 * Classifies a change script: statements, touched objects, schema change, destructive, and what was not understood.
 * Fail closed (S4): only statements understood in full pass as harmless; anything that runs text or routines the
 * classifier cannot see is listed in `unparsed`, which forces review at high risk.
 */
export function classifySql(script: string, dialect: SqlDialect): SqlClassification {
  if (!SQL_DIALECTS.includes(dialect)) throw new Error(`unsupported SQL dialect: ${String(dialect)}`);
  const statements: StatementFinding[] = [];
  const unparsed: SqlClassification['unparsed'] = [];
  const ctx: ScriptContext = { dialect, routines: new Map(), depth: 0, consumed: new Set() };
  const results = classifyStatements(script, dialect, ctx);
  if (ctx.runsHiddenSql) for (const r of results) mergeInto(r.classified, sqlBuildingLiterals(r.src, r.masked, ctx));

  results.forEach((r, k) => {
    const index = k + 1;
    const { src, masked: msk, head, classified, parsed, parseError } = r;
    const codeStart = msk.search(/\S/);
    const codeEnd = msk.trimEnd().length;
    const text = src.slice(Math.max(0, codeStart), codeEnd).trim();
    const shown = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT - 1) + '…' : text;
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
      const error = `statement ${index} (line ${line}) could not be classified: ${classified.unknown}${parseError && !parsed ? `; parser: ${parseError}` : ''}`;
      finding.reasons.push('not understood: needs review');
      if (!parsed) finding.parseError = error;
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
    // What could not be seen may be as bad as a DROP: it goes to review at high risk.
    riskFloor: destructive || unparsed.length > 0 ? 'high' : schemaChange ? 'medium' : 'low',
  };
}

function stripComments(src: string, masked: string): string {
  // Comments are spaces in `masked`; strings/identifiers are `_` there, so take those from `src`.
  let out = '';
  for (let i = 0; i < src.length; i++) out += masked[i] === ' ' && src[i] !== ' ' && !/\s/.test(src[i]) ? ' ' : src[i];
  return out;
}
