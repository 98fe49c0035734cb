import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CRITICALITIES, Criticality, FieldProblem, ITEM_TYPES, ITEM_TYPE_NAMES, ItemType, LIFECYCLE_STATUSES, LifecycleStatus, isItemType, parseAttributeText, validateAttributes } from '../../domain/cmdb';
import { UnreadableCsv, formatCsv, parseCsv } from '../../infra/cmdb-csv';
import { Principal } from '../auth/principal';
import { CmdbService, invalid, mapItem } from './cmdb.service';
import { SheetRecord, UnreadableXlsx, formatXlsx, parseXlsx } from './cmdb-xlsx';

const FIXED = ['type', 'name', 'displayName', 'ownerDepartment', 'criticality', 'lifecycleStatus', 'vendor', 'revenuePerHour'] as const;
export const MAX_IMPORT_ROWS = 20_000;

export interface ImportRowReport {
  row: number;
  type: string;
  name: string;
  action: 'create' | 'update' | 'unchanged' | 'refuse';
  changes?: string[];
  errors: { field: string; reason: string }[];
  id?: string;
}

interface Planned {
  report: ImportRowReport;
  type?: ItemType;
  existingId?: string;
  values: {
    displayName?: string;
    ownerDepartment?: string;
    criticality?: Criticality;
    lifecycleStatus?: LifecycleStatus;
    vendorId?: string;
    revenuePerHour?: number;
    attributes: Record<string, unknown>;
  };
}

/** S6: CSV and XLSX export of items, and an import that reports every row (create, update, unchanged, refuse) before it applies the good ones. */
@Injectable()
export class CmdbImportService {
  constructor(
    private readonly ds: DataSource,
    private readonly cmdb: CmdbService,
  ) {}

  async exportCsv(type?: string): Promise<string> {
    return '\ufeff' + formatCsv(await this.exportTable(type));
  }

  /** The same columns and header as the CSV, as the first sheet of a workbook. */
  async exportXlsx(type?: string): Promise<Buffer> {
    return formatXlsx(await this.exportTable(type), 'cmdb-items');
  }

  private async exportTable(type?: string): Promise<string[][]> {
    if (type !== undefined && !isItemType(type)) throw invalid([{ field: 'type', reason: `unknown item type ${type}; known: ${ITEM_TYPE_NAMES.join(', ')}` }]);
    const types = type ? [type as ItemType] : ITEM_TYPE_NAMES;
    const attrs = [...new Set(types.flatMap((t) => Object.keys(ITEM_TYPES[t].attributes)))];
    const rows = await this.ds.query(
      `SELECT i.*, v.name AS vendor_name FROM cmdb_items i LEFT JOIN vendors v ON v.id = i.vendor_id ${type ? 'WHERE i.type = $1' : ''} ORDER BY i.type, i.name`,
      type ? [type] : [],
    );
    const body = rows.map((r: any) => {
      const item = mapItem(r);
      const a = item.attributes as Record<string, unknown>;
      return [
        item.type,
        item.name,
        item.displayName,
        item.ownerDepartment ?? '',
        item.criticality,
        item.lifecycleStatus,
        item.vendor?.name ?? '',
        item.revenuePerHour === null ? '' : String(item.revenuePerHour),
        ...attrs.map((k) => (a[k] === undefined || a[k] === null ? '' : String(a[k]))),
      ];
    });
    return [[...FIXED, ...attrs.map((k) => `attr.${k}`)], ...body];
  }

  /** Exactly one of `csv` (text) or `xlsx` (a base64 .xlsx, first sheet); both become the same rows, checked and applied alike. */
  async import(auth: Principal, input: { csv?: string; xlsx?: string }, dryRun: boolean) {
    const given = (['csv', 'xlsx'] as const).filter((f) => input[f] !== undefined && input[f] !== null);
    if (given.length !== 1) {
      const reason = given.length ? 'give csv or xlsx, not both' : 'give the file as csv (text) or xlsx (base64)';
      const reasonZh = given.length ? 'csv 与 xlsx 只能提供一个' : '请以 csv（文本）或 xlsx（base64）提供文件';
      throw invalid([{ field: 'csv', reason, reasonZh }, { field: 'xlsx', reason, reasonZh }]);
    }
    if (given[0] === 'csv') {
      // The header is row 1, as a spreadsheet numbers them; blank lines are skipped.
      let rows: string[][];
      try {
        rows = parseCsv(input.csv!);
      } catch (err) {
        if (err instanceof UnreadableCsv) {
          const at = err.line === null ? '' : ` (line ${err.line})`;
          throw invalid([{ field: 'csv', reason: `csv cannot be read${at}: ${err.message}`, reasonZh: `csv 无法读取${err.line === null ? '' : `（第 ${err.line} 行）`}：引号未闭合或字段中有多余的引号` }]);
        }
        throw err;
      }
      const records = rows.filter((r) => r.some((c) => c.trim() !== '')).map((cells, i) => ({ row: i + 1, cells }));
      return this.importRecords(auth, 'csv', records, dryRun);
    }
    let records: SheetRecord[];
    try {
      records = await parseXlsx(input.xlsx!, MAX_IMPORT_ROWS + 2);
    } catch (err) {
      if (err instanceof UnreadableXlsx) throw invalid([{ field: 'xlsx', reason: err.message, reasonZh: 'xlsx 无法读取为 .xlsx 工作簿' }]);
      throw err;
    }
    return this.importRecords(auth, 'xlsx', records, dryRun);
  }

  private async importRecords(auth: Principal, source: 'csv' | 'xlsx', records: SheetRecord[], dryRun: boolean) {
    const what = source === 'csv' ? 'the CSV' : "the workbook's first sheet";
    if (records.length < 1) throw invalid([{ field: source, reason: `${what} is empty: it needs a header row (type,name,displayName,…) and data rows`, reasonZh: `${source} 为空：需要表头行（type,name,displayName,…）和数据行` }]);
    const header = records[0].cells.map((h) => h.trim());
    const problems: FieldProblem[] = [];
    for (const [i, h] of header.entries()) {
      if (!(FIXED as readonly string[]).includes(h) && !/^attr\.[A-Za-z][A-Za-z0-9]*$/.test(h)) problems.push({ field: `${source}.header[${i}]`, reason: `unknown column "${h}"; use ${FIXED.join(', ')} or attr.<name>` });
    }
    for (const required of ['type', 'name']) if (!header.includes(required)) problems.push({ field: `${source}.header`, reason: `the header needs a ${required} column` });
    const dup = header.find((h, i) => header.indexOf(h) !== i);
    if (dup) problems.push({ field: `${source}.header`, reason: `column ${dup} appears twice` });
    if (records.length - 1 > MAX_IMPORT_ROWS) problems.push({ field: source, reason: `at most ${MAX_IMPORT_ROWS} rows per import` });
    if (problems.length) throw invalid(problems);

    const seen = new Map<string, number>();
    const plans: Planned[] = [];
    for (const { row: rowNo, cells } of records.slice(1)) {
      const get = (col: string) => {
        const at = header.indexOf(col);
        return at < 0 ? '' : (cells[at] ?? '').trim();
      };
      plans.push(await this.plan(rowNo, get, header, cells.length, seen));
    }

    if (!dryRun) {
      for (const p of plans) {
        if (p.report.action !== 'create' && p.report.action !== 'update') continue;
        try {
          const item = await this.ds.transaction((tx) =>
            p.existingId
              ? this.cmdb.updateItem(auth, p.existingId, p.values, tx)
              : this.cmdb.createItem(auth, { type: p.type!, name: p.report.name, displayName: p.values.displayName!, ...p.values }, tx),
          );
          p.report.id = item.id;
        } catch (err) {
          // Another writer got there between the report and the write: the row is refused, not lost.
          const body = (err as { getResponse?: () => any }).getResponse?.();
          p.report.action = 'refuse';
          p.report.errors = body?.errors?.map((e: any) => ({ field: e.field, reason: (e.reasons ?? []).join('; ') })) ?? [{ field: 'row', reason: body?.message ?? String(err) }];
        }
      }
    }
    const rows = plans.map((p) => p.report);
    const count = (a: ImportRowReport['action']) => rows.filter((r) => r.action === a).length;
    return { dryRun, summary: { rows: rows.length, create: count('create'), update: count('update'), unchanged: count('unchanged'), refuse: count('refuse') }, rows };
  }

  private async plan(rowNo: number, get: (col: string) => string, header: string[], width: number, seen: Map<string, number>): Promise<Planned> {
    const errors: FieldProblem[] = [];
    const typeText = get('type');
    const name = get('name');
    const report: ImportRowReport = { row: rowNo, type: typeText, name, action: 'refuse', errors };
    const values: Planned['values'] = { attributes: {} };
    if (width > header.length) errors.push({ field: 'row', reason: `${width} cells but the header has ${header.length} columns` });
    if (!isItemType(typeText)) errors.push({ field: 'type', reason: typeText ? `unknown item type ${typeText}; known: ${ITEM_TYPE_NAMES.join(', ')}` : 'type is required' });
    if (!name) errors.push({ field: 'name', reason: 'name is required' });
    else if (name.length > 200) errors.push({ field: 'name', reason: 'name is at most 200 characters' });
    if (!isItemType(typeText) || !name) return { report, values };
    const type = typeText;
    const key = `${type}\u0000${name}`;
    if (seen.has(key)) errors.push({ field: 'name', reason: `the same ${type} ${name} is already in row ${seen.get(key)}` });
    else seen.set(key, rowNo);

    const [existing] = await this.ds.query(`SELECT i.*, v.name AS vendor_name FROM cmdb_items i LEFT JOIN vendors v ON v.id = i.vendor_id WHERE i.type = $1 AND i.name = $2`, [type, name]);
    const current = existing ? mapItem(existing) : null;

    const displayName = get('displayName');
    if (displayName) values.displayName = displayName.slice(0, 200);
    else if (!current) errors.push({ field: 'displayName', reason: 'displayName is required for a new item' });
    const dept = get('ownerDepartment');
    if (dept) values.ownerDepartment = dept;
    const crit = get('criticality');
    if (crit) {
      if ((CRITICALITIES as readonly string[]).includes(crit)) values.criticality = crit as Criticality;
      else errors.push({ field: 'criticality', reason: `criticality must be one of: ${CRITICALITIES.join(', ')}` });
    }
    const status = get('lifecycleStatus');
    if (status) {
      if ((LIFECYCLE_STATUSES as readonly string[]).includes(status)) values.lifecycleStatus = status as LifecycleStatus;
      else errors.push({ field: 'lifecycleStatus', reason: `lifecycleStatus must be one of: ${LIFECYCLE_STATUSES.join(', ')}` });
    }
    const vendor = get('vendor');
    if (vendor) {
      const [v] = await this.ds.query(`SELECT id FROM vendors WHERE name = $1`, [vendor]);
      if (v) values.vendorId = v.id;
      else errors.push({ field: 'vendor', reason: `no vendor named ${vendor}` });
    }
    const revenue = get('revenuePerHour');
    if (revenue) {
      const n = Number(revenue);
      if (Number.isFinite(n) && n >= 0) values.revenuePerHour = n;
      else errors.push({ field: 'revenuePerHour', reason: 'revenuePerHour must be a non-negative number' });
    }
    // Cells given override the stored attributes; empty cells leave them as they are.
    const attributes: Record<string, unknown> = { ...(current?.attributes ?? {}) };
    for (const col of header.filter((h) => h.startsWith('attr.'))) {
      const text = get(col);
      if (!text) continue;
      const parsed = parseAttributeText(type, col.slice(5), text);
      if ('reason' in parsed) errors.push({ field: col, reason: parsed.reason });
      else attributes[col.slice(5)] = parsed.value;
    }
    if (!errors.some((e) => e.field.startsWith('attr.'))) {
      for (const p of validateAttributes(type, attributes)) errors.push({ field: p.field.replace(/^attributes\./, 'attr.'), reason: p.reason });
    }
    values.attributes = attributes;
    for (const p of await this.cmdb.problemsOf(type, { attributes: {}, vendorId: values.vendorId, revenuePerHour: values.revenuePerHour })) {
      if (p.field.startsWith('attributes')) continue; // checked above, with the merged attributes
      if (!errors.some((e) => e.field === (p.field === 'vendorId' ? 'vendor' : p.field))) errors.push({ field: p.field === 'vendorId' ? 'vendor' : p.field, reason: p.reason });
    }
    if (errors.length) return { report, type, values };

    if (!current) return { report: { ...report, action: 'create' }, type, values };
    const changes: string[] = [];
    if (values.displayName !== undefined && values.displayName !== current.displayName) changes.push('displayName');
    if (values.ownerDepartment !== undefined && values.ownerDepartment !== current.ownerDepartment) changes.push('ownerDepartment');
    if (values.criticality !== undefined && values.criticality !== current.criticality) changes.push('criticality');
    if (values.lifecycleStatus !== undefined && values.lifecycleStatus !== current.lifecycleStatus) changes.push('lifecycleStatus');
    if (values.vendorId !== undefined && values.vendorId !== current.vendor?.id) changes.push('vendor');
    if (values.revenuePerHour !== undefined && values.revenuePerHour !== current.revenuePerHour) changes.push('revenuePerHour');
    for (const k of new Set([...Object.keys(attributes), ...Object.keys(current.attributes)])) {
      if (JSON.stringify(attributes[k]) !== JSON.stringify(current.attributes[k])) changes.push(`attr.${k}`);
    }
    return { report: { ...report, action: changes.length ? 'update' : 'unchanged', changes }, type, existingId: current.id, values };
  }
}
