import { Buffer as ExcelBuffer, CellValue, Workbook } from 'exceljs';

/** XLSX for CMDB import and export (S6, issue 6): the same table the CSV carries, as a workbook's first sheet. */

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A table row with the number the spreadsheet shows for it, so reports point at the row a user sees. */
export interface SheetRecord {
  row: number;
  cells: string[];
}

/** Every cell is written as text: nothing is a formula, and values such as 2019 or 10.1.2.3 come back unchanged. */
export async function formatXlsx(rows: string[][], sheetName: string): Promise<Buffer> {
  const wb = new Workbook();
  wb.creator = 'Wardline';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRows(rows);
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Thrown when the payload is not a workbook; the caller turns it into a 400 on the `xlsx` field. */
export class UnreadableXlsx extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The first sheet's non-blank rows as text cells, trailing empty cells dropped. Numbers, booleans, rich text,
 * hyperlinks and formula results become the text a user would type; `limit` stops reading past what an import takes.
 */
export async function parseXlsx(base64: string, limit: number): Promise<SheetRecord[]> {
  const compact = base64.replace(/\s+/g, '');
  if (!compact || compact.length % 4 !== 0 || !BASE64.test(compact)) throw new UnreadableXlsx('xlsx must be a base64-encoded .xlsx file');
  const bytes = Buffer.from(compact, 'base64');
  // An .xlsx file is a ZIP archive: PK\x03\x04.
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) throw new UnreadableXlsx('xlsx is not an .xlsx workbook (not a ZIP archive)');
  const wb = new Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ExcelBuffer);
  } catch (err) {
    throw new UnreadableXlsx(`xlsx could not be read as a workbook: ${(err as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new UnreadableXlsx('the workbook has no sheet');
  const records: SheetRecord[] = [];
  for (let r = 1; r <= ws.rowCount && records.length < limit; r++) {
    const row = ws.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    while (cells.length && cells[cells.length - 1].trim() === '') cells.pop();
    if (cells.length) records.push({ row: r, cells });
  }
  return records;
}

function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as CellValue);
  if ('error' in value) return value.error;
  return '';
}
