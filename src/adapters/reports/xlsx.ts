import ExcelJS from 'exceljs';
import { buildZip, readZip } from './zip';

/**
 * XLSX building on exceljs with fixed metadata: the creator and dates in docProps/core.xml are given, and the file
 * is re-packed with one fixed date on every zip entry (exceljs stamps each entry with the current time), so the same
 * rows give the same bytes (S17).
 */

export interface WorkbookMeta {
  /** The instant written as created/modified (epoch ms); the report's period end, not the clock. */
  at: number;
  creator?: string;
  title?: string;
}

export function createWorkbook(meta: WorkbookMeta): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = meta.creator ?? 'Wardline';
  wb.lastModifiedBy = meta.creator ?? 'Wardline';
  wb.created = new Date(meta.at);
  wb.modified = new Date(meta.at);
  if (meta.title) wb.title = meta.title;
  wb.calcProperties = { fullCalcOnLoad: false };
  return wb;
}

export type CellValue = string | number | boolean | null | Date;

export interface SheetColumn {
  /** Header text, zh-CN first ("系统 / System"). */
  header: string;
  key: string;
  width?: number;
  /** exceljs number format, e.g. '0.0%' or 'yyyy-mm-dd hh:mm'. */
  numFmt?: string;
}

/**
 * One sheet holding a table: a bold frozen header row, the rows in the order given, an auto-filter. Dates should be
 * passed as strings already formatted in the contract's zone (formatInZone) so the machine's zone never shows.
 */
export function addTableSheet(wb: ExcelJS.Workbook, name: string, columns: SheetColumn[], rows: Record<string, CellValue>[]): ExcelJS.Worksheet {
  // Excel limits sheet names to 31 characters and forbids []:*?/\ .
  const safe = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
  const ws = wb.addWorksheet(safe, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width ?? Math.min(60, Math.max(10, c.header.length * 2 + 2)), style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  ws.getRow(1).font = { bold: true };
  for (const row of rows) ws.addRow(Object.fromEntries(columns.map((c) => [c.key, row[c.key] ?? null])));
  if (columns.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + rows.length, column: columns.length } };
  return ws;
}

/** A sheet of label/value pairs (a summary page). */
export function addKeyValueSheet(wb: ExcelJS.Workbook, name: string, pairs: [string, CellValue][]): ExcelJS.Worksheet {
  return addTableSheet(
    wb,
    name,
    [
      { header: '项目 / Item', key: 'k', width: 40 },
      { header: '值 / Value', key: 'v', width: 40 },
    ],
    pairs.map(([k, v]) => ({ k, v })),
  );
}

/** The workbook's bytes, re-packed so every zip entry has the workbook's fixed date. */
export async function workbookToBuffer(wb: ExcelJS.Workbook, at: number): Promise<Buffer> {
  const raw = Buffer.from(await wb.xlsx.writeBuffer());
  const entries = await readZip(raw);
  return buildZip(
    entries.map((e) => ({ name: e.name, data: e.data })),
    { date: at },
  );
}

/** Reads an XLSX's sheets back as arrays of cell texts (tests and checks). */
export async function readWorkbook(data: Buffer): Promise<Map<string, string[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const out = new Map<string, string[][]>();
  wb.eachSheet((ws) => {
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      for (let i = 1; i <= ws.columnCount; i++) {
        const v = row.getCell(i).value;
        cells.push(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
      rows.push(cells);
    });
    out.set(ws.name, rows);
  });
  return out;
}
