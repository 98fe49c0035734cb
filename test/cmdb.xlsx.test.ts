import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Buffer as ExcelBuffer, CellValue, Workbook } from 'exceljs';
import { randomUUID } from 'node:crypto';
import { parseCsv } from '../src/infra/cmdb-csv';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** CMDB XLSX export and import through the API on real PostgreSQL (S6, issue 6): the same table and row checks as CSV. */
describe('CMDB XLSX through the API', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let dispatcher: TestUser;

  const fields = (body: any) => (body.errors ?? []).map((e: any) => e.field).sort();
  const download = async (path: string, token: string) => {
    const res = await fetch(`${p.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  /** The first sheet as a table of raw cell values, `width` columns wide. */
  const readSheet = async (bytes: Buffer): Promise<{ values: CellValue[][]; sheets: number }> => {
    const wb = new Workbook();
    await wb.xlsx.load(bytes as unknown as ExcelBuffer);
    const ws = wb.worksheets[0];
    const width = ws.getRow(1).cellCount;
    const values: CellValue[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) values.push(Array.from({ length: width }, (_, c) => ws.getRow(r).getCell(c + 1).value));
    return { values, sheets: wb.worksheets.length };
  };
  const workbook = async (rows: CellValue[][]): Promise<string> => {
    const wb = new Workbook();
    const ws = wb.addWorksheet('导入');
    for (const row of rows) ws.addRow(row);
    wb.addWorksheet('ignored').addRow(['not', 'read']);
    return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  };

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    engineer = await p.user(['engineer'], '李工');
    dispatcher = await p.user(['dispatcher'], '王调度');
    for (const [name, attrs] of [
      ['xl-srv-01', { os: 'CentOS', osVersion: '7', ip: '10.7.0.1', cpuCores: 8, virtual: true }],
      ['xl-srv-02', { os: 'Windows Server', osVersion: '2019', ip: '10.7.0.2', memoryGb: 64.5 }],
    ] as const) {
      const res = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name, displayName: `服务器 ${name}, "引号"`, ownerDepartment: '信息科', attributes: attrs });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => p?.stop());

  it('exports a sheet with the same header and cells as the CSV export, every cell as text', async () => {
    const { res, bytes } = await download('/cmdb/items.xlsx?type=server', dispatcher.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="cmdb-items.xlsx"');
    expect(bytes.subarray(0, 2).toString()).toBe('PK');

    const { values } = await readSheet(bytes);
    const csv = parseCsv((await p.call('GET', '/cmdb/items.csv?type=server', dispatcher.token)).body as string);
    expect(values[0]).toEqual(csv[0]);
    expect(values[0].slice(0, 3)).toEqual(['type', 'name', 'displayName']);
    expect(values.length).toBe(csv.length);
    // Every value is text (an empty cell stays empty), so 2019 and 10.7.0.1 come back as written.
    expect(values.flat().every((v) => v === null || typeof v === 'string')).toBe(true);
    expect(values.map((r) => r.map((v) => v ?? ''))).toEqual(csv);
    const h = values[0] as string[];
    const srv = values.find((r) => r[1] === 'xl-srv-01')!;
    expect([srv[h.indexOf('displayName')], srv[h.indexOf('attr.ip')], srv[h.indexOf('attr.cpuCores')], srv[h.indexOf('attr.virtual')]]).toEqual([
      '服务器 xl-srv-01, "引号"',
      '10.7.0.1',
      '8',
      'true',
    ]);

    const unknown = await p.call('GET', '/cmdb/items.xlsx?type=mainframe', dispatcher.token);
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual(['type']);
    expect((await p.call('GET', '/cmdb/items.xlsx')).status).toBe(401);
  });

  it('imports its own export back as unchanged, for one type and for all', async () => {
    for (const path of ['/cmdb/items.xlsx?type=server', '/cmdb/items.xlsx']) {
      const { bytes } = await download(path, dispatcher.token);
      const { values } = await readSheet(bytes);
      const back = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { xlsx: bytes.toString('base64') });
      expect({ path, status: back.status }).toEqual({ path, status: 201 });
      expect(back.body.summary).toEqual({ rows: values.length - 1, create: 0, update: 0, unchanged: values.length - 1, refuse: 0 });
      expect(back.body.rows[0].row).toBe(2);
    }
  });

  it('reports every row of the first sheet by its sheet row number, and applies only the good ones', async () => {
    const xlsx = await workbook([
      ['type', 'name', 'displayName', 'criticality', 'revenuePerHour', 'attr.os', 'attr.ip', 'attr.cpuCores', 'attr.virtual'],
      ['server', 'xl-imp-01', { richText: [{ text: '导入' }, { text: '服务器一', font: { bold: true } }] }, 'high', null, 'Kylin', '10.7.1.1', 16, true],
      [],
      ['server', 'xl-imp-02', '导入服务器二', 'extreme', null, 'Kylin', '10.7.1.300', 4, null],
      ['business_system', 'SYS-12', null, null, { formula: '1000*2', result: 2000 }],
      ['server', 'xl-srv-02', null, null, null, null, null, 12],
    ]);

    const dry = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { xlsx });
    expect(dry.status).toBe(201);
    expect(dry.body.rows.map((r: any) => [r.row, r.name, r.action, r.errors.map((e: any) => e.field).sort()])).toEqual([
      [2, 'xl-imp-01', 'create', []],
      [4, 'xl-imp-02', 'refuse', ['attr.ip', 'criticality']],
      [5, 'SYS-12', 'update', []],
      [6, 'xl-srv-02', 'update', []],
    ]);
    expect(dry.body.rows[2].changes).toEqual(['revenuePerHour']);
    expect(dry.body.rows[3].changes).toEqual(['attr.cpuCores']);
    expect(dry.body.summary).toEqual({ rows: 4, create: 1, update: 2, unchanged: 0, refuse: 1 });
    expect((await p.call('GET', '/cmdb/items?q=xl-imp', dispatcher.token)).body.total).toBe(0);

    const applied = await p.call('POST', '/cmdb/import?dryRun=false', engineer.token, { xlsx });
    expect(applied.status).toBe(201);
    expect(applied.body.summary).toEqual({ rows: 4, create: 1, update: 2, unchanged: 0, refuse: 1 });
    expect(applied.body.rows[1].errors.find((e: any) => e.field === 'attr.ip').reason).toMatch(/ip/);
    const created = await p.call('GET', '/cmdb/items/server:xl-imp-01', dispatcher.token);
    expect(created.body).toMatchObject({ displayName: '导入服务器一', criticality: 'high', attributes: { os: 'Kylin', ip: '10.7.1.1', cpuCores: 16, virtual: true } });
    expect(applied.body.rows[0].id).toBe(created.body.id);
    expect((await p.call('GET', '/cmdb/items/server:xl-imp-02', dispatcher.token)).status).toBe(404);
    expect((await p.call('GET', '/cmdb/items/SYS-12', dispatcher.token)).body.revenuePerHour).toBe(2000);
    // Empty cells leave the stored attributes as they were.
    expect((await p.call('GET', '/cmdb/items/server:xl-srv-02', dispatcher.token)).body.attributes).toEqual({ os: 'Windows Server', osVersion: '2019', ip: '10.7.0.2', memoryGb: 64.5, cpuCores: 12 });
    const hist = await p.call('GET', '/cmdb/items/server:xl-imp-01/history', dispatcher.token);
    expect(hist.body.entries.map((e: any) => [e.action, e.actor.name])).toEqual([['create', '李工']]);
  });

  it('takes a workbook larger than the default 100 kB JSON body', async () => {
    const rows: CellValue[][] = [['type', 'name', 'displayName', 'attr.os']];
    for (let i = 0; i < 1500; i++) rows.push(['server', `xl-big-${i}`, `${randomUUID()} ${randomUUID()} ${randomUUID()}`, 'Linux']);
    const xlsx = await workbook(rows);
    expect(xlsx.length).toBeGreaterThan(150_000);
    const dry = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { xlsx });
    expect(dry.status).toBe(201);
    expect(dry.body.summary).toMatchObject({ rows: 1500, create: 1500, refuse: 0 });
  });

  it('refuses what is not one readable workbook with 400 naming the field', async () => {
    const notZip = Buffer.from('type,name\nserver,x\n').toString('base64');
    const brokenZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('not really a zip archive at all')]).toString('base64');
    for (const xlsx of ['not base64 at all!', '', notZip, brokenZip]) {
      const res = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { xlsx });
      expect({ xlsx, status: res.status, fields: fields(res.body) }).toEqual({ xlsx, status: 400, fields: ['xlsx'] });
    }
    const both = await p.call('POST', '/cmdb/import', engineer.token, { csv: 'type,name\n', xlsx: notZip });
    expect(both.status).toBe(400);
    expect(fields(both.body)).toEqual(['csv', 'xlsx']);
    const neither = await p.call('POST', '/cmdb/import', engineer.token, {});
    expect(neither.status).toBe(400);
    expect(fields(neither.body)).toEqual(['csv', 'xlsx']);
    const notString = await p.call('POST', '/cmdb/import', engineer.token, { xlsx: 42 });
    expect(notString.status).toBe(400);
    expect(fields(notString.body)).toEqual(['xlsx']);

    const badHeader = await p.call('POST', '/cmdb/import', engineer.token, { xlsx: await workbook([['type', 'name', 'colour'], ['server', 'x', 'red']]) });
    expect(badHeader.status).toBe(400);
    expect(fields(badHeader.body)).toEqual(['xlsx.header[2]']);
    const empty = await p.call('POST', '/cmdb/import', engineer.token, { xlsx: await workbook([]) });
    expect(empty.status).toBe(400);
    expect(fields(empty.body)).toEqual(['xlsx']);
    expect((await p.call('POST', '/cmdb/import', dispatcher.token, { xlsx: notZip })).status).toBe(403);
  });

  it('a body over the 10 MB limit is a 413 naming the problem, not a 500', async () => {
    const res = await p.call('POST', '/cmdb/import?dryRun=true', p.adminToken, { xlsx: 'A'.repeat(11 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.messageZh).toBe('请求体过大');
  });
});
