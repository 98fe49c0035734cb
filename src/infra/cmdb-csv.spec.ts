import { describe, expect, it } from '@jest/globals';
import { UnreadableCsv, formatCsv, guardCell, parseCsv } from './cmdb-csv';

/** Issue 9: the CMDB's CSV (S6) through csv-parse/csv-stringify; malformed input refused, formulas never exported. */
describe('CMDB CSV', () => {
  it('reads quoted fields, doubled quotes, embedded newlines, CRLF and a BOM', () => {
    expect(parseCsv('\ufefftype,name\r\nserver,"db-01, 主库"\r\nserver,"say ""hi""\nnext line"\n')).toEqual([
      ['type', 'name'],
      ['server', 'db-01, 主库'],
      ['server', 'say "hi"\nnext line'],
    ]);
  });

  it('refuses an unterminated quote (it used to swallow the rest of the file into one field)', () => {
    expect(() => parseCsv('type,name\nserver,"db-01\nserver,db-02\n')).toThrow(UnreadableCsv);
    expect(() => parseCsv('type,name\nserver,db"01"x\n')).toThrow(UnreadableCsv);
  });

  it.each([
    ['=HYPERLINK("http://x")', "'=HYPERLINK(\"http://x\")"],
    ['+1+cmd|calc', "'+1+cmd|calc"],
    ['-1+1|cmd', "'-1+1|cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['-5', '-5'],
    ['+3.25', '+3.25'],
    ['PACS 主服务器', 'PACS 主服务器'],
  ])('guards %j as %j', (value, guarded) => {
    expect(guardCell(value)).toBe(guarded);
  });

  it('exports with CRLF and quoting, and what it exports reads back (guarded)', () => {
    const rows = [['name', 'note'], ['db-01', 'a,b "c"'], ['x', '\t=cmd']];
    const csv = formatCsv(rows);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parseCsv(csv)).toEqual([['name', 'note'], ['db-01', 'a,b "c"'], ['x', "'\t=cmd"]]);
  });
});
