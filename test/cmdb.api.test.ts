import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCsv } from '../src/infra/cmdb-csv';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** CMDB through the API on real PostgreSQL (P1, S6, S9): items, relations, cycles, impact, history, CSV. */
describe('CMDB through the API', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let manager: TestUser;
  let dispatcher: TestUser;
  let vendorContact: TestUser;

  const fields = (body: any) => (body.errors ?? []).map((e: any) => e.field).sort();
  const item = async (token: string, body: Record<string, unknown>) => {
    const res = await p.call('POST', '/cmdb/items', token, body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body;
  };

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    engineer = await p.user(['engineer'], '李工');
    manager = await p.user(['it_manager'], '信息科主任');
    dispatcher = await p.user(['dispatcher'], '王调度');
    vendorContact = await p.user(['vendor_contact'], '原厂支持');
  });
  afterAll(() => p?.stop());

  it('starts with the 37 seeded business systems as items, linked to their systems and vendors', async () => {
    const res = await p.call('GET', '/cmdb/items?type=business_system&limit=100', dispatcher.token);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(37);
    const pacs = res.body.items.find((i: any) => i.name === 'SYS-11');
    expect(pacs).toMatchObject({ type: 'business_system', typeLabel: '业务系统', displayName: '放射科PACS/RIS系统', lifecycleStatus: 'active' });
    expect(pacs.businessSystemId).toMatch(/^[0-9a-f-]{36}$/);
    const icu = await p.call('GET', '/cmdb/items/SYS-01', dispatcher.token);
    expect(icu.body.vendor).toMatchObject({ name: '米健' });
  });

  it('creates, reads, filters, updates and deletes items, keeping who changed what in the history', async () => {
    const srv = await item(engineer.token, {
      type: 'server',
      name: 'crud-srv-01',
      displayName: 'CRUD 测试服务器',
      ownerDepartment: '信息科',
      criticality: 'high',
      attributes: { os: 'Windows Server', osVersion: '2019', ip: '10.8.1.21', cpuCores: 16, memoryGb: 64, virtual: true },
    });
    expect(srv).toMatchObject({ type: 'server', criticality: 'high', lifecycleStatus: 'active', attributes: { os: 'Windows Server', cpuCores: 16 } });

    const byAttr = await p.call('GET', `/cmdb/items?type=server&attr.os=${encodeURIComponent('Windows Server')}&q=crud`, dispatcher.token);
    expect(byAttr.body.items.map((i: any) => i.name)).toEqual(['crud-srv-01']);
    const byText = await p.call('GET', `/cmdb/items?q=${encodeURIComponent('CRUD 测试')}`, dispatcher.token);
    expect(byText.body.items.map((i: any) => i.id)).toEqual([srv.id]);
    const none = await p.call('GET', '/cmdb/items?type=server&status=retired&q=crud', dispatcher.token);
    expect(none.body.total).toBe(0);

    const updated = await p.call('PATCH', `/cmdb/items/${srv.id}`, engineer.token, { lifecycleStatus: 'maintenance', attributes: { os: 'Windows Server', osVersion: '2022' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ lifecycleStatus: 'maintenance', attributes: { os: 'Windows Server', osVersion: '2022' } });
    expect((await p.call('GET', `/cmdb/items/server:crud-srv-01`, dispatcher.token)).body.lifecycleStatus).toBe('maintenance');

    // Engineers may not delete; the IT manager may.
    expect((await p.call('DELETE', `/cmdb/items/${srv.id}`, engineer.token)).status).toBe(403);
    const history = await p.call('GET', `/cmdb/items/${srv.id}/history`, dispatcher.token);
    expect(history.body.entries.map((e: any) => [e.action, e.actor.name])).toEqual([
      ['update', '李工'],
      ['create', '李工'],
    ]);
    expect(history.body.entries[0].before).toMatchObject({ lifecycleStatus: 'active', attributes: { osVersion: '2019' } });
    expect(history.body.entries[0].after).toMatchObject({ lifecycleStatus: 'maintenance', attributes: { osVersion: '2022' } });
    expect(Date.parse(history.body.entries[0].at)).toBeGreaterThan(Date.now() - 60_000);

    const deleted = await p.call('DELETE', `/cmdb/items/${srv.id}`, manager.token);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await p.call('GET', `/cmdb/items/${srv.id}`, dispatcher.token)).status).toBe(404);
  });

  it('refuses bad input with 4xx errors naming the field', async () => {
    const unknownType = await p.call('POST', '/cmdb/items', engineer.token, { type: 'mainframe', name: 'x', displayName: 'x' });
    expect(unknownType.status).toBe(400);
    expect(fields(unknownType.body)).toEqual(['type']);

    const badAttrs = await p.call('POST', '/cmdb/items', engineer.token, {
      type: 'server',
      name: 'bad-srv',
      displayName: '坏服务器',
      attributes: { ip: '10.0.0.300', cpuCores: 'eight', colour: 'red' },
    });
    expect(badAttrs.status).toBe(400);
    expect(badAttrs.body.code).toBe('VALIDATION_FAILED');
    // ip wrong, cpuCores wrong type, colour unknown, os missing (required).
    expect(fields(badAttrs.body)).toEqual(['attributes.colour', 'attributes.cpuCores', 'attributes.ip', 'attributes.os']);

    const badEnum = await p.call('POST', '/cmdb/items', engineer.token, { type: 'database', name: 'db-x', displayName: 'x', attributes: { engine: 'foxpro' } });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.errors[0]).toMatchObject({ field: 'attributes.engine' });

    const badDto = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name: '', displayName: 'x', criticality: 'extreme', attributes: { os: 'Linux' } });
    expect(badDto.status).toBe(400);
    expect(fields(badDto.body)).toEqual(['criticality', 'name']);

    const revenueOnServer = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name: 'rev-srv', displayName: 'x', revenuePerHour: 10, attributes: { os: 'Linux' } });
    expect(revenueOnServer.status).toBe(400);
    expect(fields(revenueOnServer.body)).toEqual(['revenuePerHour']);

    await item(engineer.token, { type: 'server', name: 'dup-srv', displayName: '重复', attributes: { os: 'Linux' } });
    const dup = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name: 'dup-srv', displayName: '重复', attributes: { os: 'Linux' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'DUPLICATE', errors: [{ field: 'name' }] });
    // The same name in another type is fine.
    await item(engineer.token, { type: 'middleware', name: 'dup-srv', displayName: '重复', attributes: { product: 'Tomcat' } });

    const missing = await p.call('POST', '/cmdb/relations', engineer.token, { type: 'runs_on', sourceId: 'SYS-11', targetId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(fields(missing.body)).toEqual(['targetId']);
    const wrongEnds = await p.call('POST', '/cmdb/relations', engineer.token, { type: 'uses_database', sourceId: 'SYS-11', targetId: 'server:dup-srv' });
    expect(wrongEnds.status).toBe(422);
    expect(fields(wrongEnds.body)).toEqual(['targetId']);
    const unknownRel = await p.call('POST', '/cmdb/relations', engineer.token, { type: 'likes', sourceId: 'SYS-11', targetId: 'server:dup-srv' });
    expect(unknownRel.status).toBe(400);
    expect(fields(unknownRel.body)).toEqual(['type']);
    const badFilter = await p.call('GET', '/cmdb/items?type=server&attr.flavour=x', dispatcher.token);
    expect(badFilter.status).toBe(400);
    expect(fields(badFilter.body)).toEqual(['attr.flavour']);
  });

  it('finds the business systems a server outage affects, with the path and the revenue at stake, and the reverse', async () => {
    const srv = await item(engineer.token, { type: 'server', name: 'pacs-app-srv', displayName: 'PACS 应用服务器', attributes: { os: 'Windows Server', ip: '10.8.2.10' } });
    const db = await item(engineer.token, { type: 'database', name: 'pacs-db', displayName: 'PACS 数据库', attributes: { engine: 'oracle', version: '19c', instance: 'PACSDB' } });
    const app = await item(engineer.token, { type: 'application_module', name: 'pacs-viewer', displayName: 'PACS 影像调阅模块', attributes: { version: '5.2' } });
    await p.call('PATCH', '/cmdb/items/SYS-11', manager.token, { revenuePerHour: 12000 });
    await p.call('PATCH', '/cmdb/items/SYS-10', manager.token, { revenuePerHour: 500.5 });
    const rel = async (type: string, sourceId: string, targetId: string) => {
      const res = await p.call('POST', '/cmdb/relations', engineer.token, { type, sourceId, targetId });
      expect({ type, status: res.status, body: res.body }).toMatchObject({ status: 201 });
      return res.body;
    };
    await rel('runs_on', app.id, srv.id);
    await rel('runs_on', db.id, srv.id);
    await rel('uses_database', app.id, db.id);
    await rel('depends_on', 'SYS-11', app.id);
    await rel('depends_on', 'SYS-10', 'SYS-11'); // 放射叫号 depends on PACS
    await rel('interfaces_with', 'SYS-05', 'SYS-11'); // not a dependency: no impact through it

    const impact = await p.call('GET', `/cmdb/items/${srv.id}/impact`, dispatcher.token);
    expect(impact.status).toBe(200);
    expect(impact.body.businessSystems.map((s: any) => [s.name, s.depth])).toEqual([
      ['SYS-11', 2],
      ['SYS-10', 3],
    ]);
    expect(impact.body.businessSystems[0].path.map((s: any) => [s.name, s.via])).toEqual([
      ['pacs-app-srv', null],
      ['pacs-viewer', 'runs_on'],
      ['SYS-11', 'depends_on'],
    ]);
    expect(impact.body.revenuePerHourAtStake).toBe(12500.5);
    expect(impact.body.affectedItems).toBe(4);

    const deps = await p.call('GET', '/cmdb/items/SYS-10/dependencies', dispatcher.token);
    expect(deps.body.dependencies.map((d: any) => d.name).sort()).toEqual(['SYS-11', 'pacs-app-srv', 'pacs-db', 'pacs-viewer']);
    const viaDb = deps.body.dependencies.find((d: any) => d.name === 'pacs-db');
    expect(viaDb.path.map((s: any) => s.name)).toEqual(['SYS-10', 'SYS-11', 'pacs-viewer', 'pacs-db']);

    const topo = await p.call('GET', '/cmdb/items/SYS-11/topology?depth=1', dispatcher.token);
    expect(topo.status).toBe(200);
    expect(topo.body.nodes.map((n: any) => n.name).sort()).toEqual(['SYS-05', 'SYS-10', 'SYS-11', 'pacs-viewer']);
    expect(topo.body.edges).toHaveLength(3);
    expect((await p.call('GET', '/cmdb/items/SYS-11/topology?depth=9', dispatcher.token)).status).toBe(400);

    const detail = await p.call('GET', '/cmdb/items/pacs-viewer', dispatcher.token);
    expect(detail.status).toBe(404); // a bare name means a business system code
    const viewer = await p.call('GET', '/cmdb/items/application_module:pacs-viewer', dispatcher.token);
    expect(viewer.body.relations.outgoing.map((r: any) => [r.type, r.target.name]).sort()).toEqual([
      ['runs_on', 'pacs-app-srv'],
      ['uses_database', 'pacs-db'],
    ]);
    expect(viewer.body.relations.incoming.map((r: any) => [r.type, r.source.name])).toEqual([['depends_on', 'SYS-11']]);
  });

  it('refuses a relation that would close a dependency cycle, naming the path, also under concurrent inserts', async () => {
    const a = await item(engineer.token, { type: 'application_module', name: 'cyc-a', displayName: 'A' });
    const b = await item(engineer.token, { type: 'application_module', name: 'cyc-b', displayName: 'B' });
    const c = await item(engineer.token, { type: 'application_module', name: 'cyc-c', displayName: 'C' });
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: a.id, targetId: b.id })).status).toBe(201);
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: b.id, targetId: c.id })).status).toBe(201);
    const cycle = await p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: c.id, targetId: a.id });
    expect(cycle.status).toBe(409);
    expect(cycle.body.code).toBe('CYCLE');
    expect(cycle.body.cycle.map((s: any) => s.name)).toEqual(['cyc-c', 'cyc-a', 'cyc-b', 'cyc-c']);
    expect(cycle.body.message).toContain('application_module:cyc-c → application_module:cyc-a → application_module:cyc-b → application_module:cyc-c');
    // A non-dependency relation the other way is fine.
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'interfaces_with', sourceId: c.id, targetId: a.id })).status).toBe(201);
    const dupRel = await p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: a.id, targetId: b.id });
    expect(dupRel.status).toBe(409);

    // Two inserts that each alone are fine but together make a cycle: exactly one wins, many times over.
    for (let round = 0; round < 5; round++) {
      const x = await item(engineer.token, { type: 'application_module', name: `race-x-${round}`, displayName: 'X' });
      const y = await item(engineer.token, { type: 'application_module', name: `race-y-${round}`, displayName: 'Y' });
      const results = await Promise.all([
        p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: x.id, targetId: y.id }),
        p.call('POST', '/cmdb/relations', engineer.token, { type: 'depends_on', sourceId: y.id, targetId: x.id }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    }

    // Relation history shows on both ends, and deleting it is recorded too.
    const rel = (await p.call('GET', `/cmdb/items/${a.id}`, dispatcher.token)).body.relations.outgoing[0];
    expect((await p.call('DELETE', `/cmdb/relations/${rel.id}`, engineer.token)).status).toBe(403);
    expect((await p.call('DELETE', `/cmdb/relations/${rel.id}`, manager.token)).status).toBe(200);
    const hb = await p.call('GET', `/cmdb/items/${b.id}/history`, dispatcher.token);
    expect(hb.body.entries.filter((e: any) => e.subject === 'relation').map((e: any) => [e.action, e.actor.name])).toEqual([
      ['delete', '信息科主任'],
      ['create', '李工'],
      ['create', '李工'],
    ]);
  });

  it('imports CSV: a dry run reports every row, applying writes only the good ones; export round-trips', async () => {
    const csv = [
      'type,name,displayName,ownerDepartment,criticality,lifecycleStatus,vendor,revenuePerHour,attr.os,attr.ip,attr.cpuCores,attr.engine',
      'server,imp-srv-01,导入服务器一,信息科,high,active,,,CentOS,10.9.0.1,8,',
      'server,imp-srv-02,"导入服务器, 二",信息科,,,,,Kylin,10.9.0.300,4,',
      'database,imp-db-01,导入数据库,,,,,,,,,mysql',
      'mainframe,imp-mf,大型机,,,,,,,,,',
      'business_system,SYS-11,,,critical,,,15000,,,,',
      'server,imp-srv-03,导入服务器三,,,,,,,,,',
      'server,imp-srv-01,重复行,,,,,,Linux,,,',
    ].join('\n');
    const dry = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { csv });
    expect(dry.status).toBe(201);
    expect(dry.body.rows.map((r: any) => [r.row, r.action, r.errors.map((e: any) => e.field)])).toEqual([
      [2, 'create', []],
      [3, 'refuse', ['attr.ip']],
      [4, 'create', []],
      [5, 'refuse', ['type']],
      [6, 'update', []],
      [7, 'refuse', ['attr.os']],
      [8, 'refuse', ['name']],
    ]);
    expect(dry.body.rows[4].changes.sort()).toEqual(['criticality', 'revenuePerHour']);
    expect(dry.body.summary).toEqual({ rows: 7, create: 2, update: 1, unchanged: 0, refuse: 4 });
    expect((await p.call('GET', '/cmdb/items?q=imp-', dispatcher.token)).body.total).toBe(0);

    const applied = await p.call('POST', '/cmdb/import?dryRun=false', engineer.token, { csv });
    expect(applied.status).toBe(201);
    expect(applied.body.summary).toEqual({ rows: 7, create: 2, update: 1, unchanged: 0, refuse: 4 });
    const names = (await p.call('GET', '/cmdb/items?q=imp-', dispatcher.token)).body.items.map((i: any) => i.name);
    expect(names.sort()).toEqual(['imp-db-01', 'imp-srv-01']);
    const pacs = (await p.call('GET', '/cmdb/items/SYS-11', dispatcher.token)).body;
    expect(pacs).toMatchObject({ criticality: 'critical', revenuePerHour: 15000 });
    const hist = await p.call('GET', '/cmdb/items/server:imp-srv-01/history', dispatcher.token);
    expect(hist.body.entries.map((e: any) => [e.action, e.actor.name])).toEqual([['create', '李工']]);

    // Re-importing the same file changes nothing more.
    const again = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { csv });
    expect(again.body.rows.slice(0, 1).map((r: any) => r.action)).toEqual(['unchanged']);

    const exported = await p.call('GET', '/cmdb/items.csv?type=server', dispatcher.token);
    expect(exported.status).toBe(200);
    const rows = parseCsv(exported.body as unknown as string);
    expect(rows[0].slice(0, 3)).toEqual(['type', 'name', 'displayName']);
    expect(rows[0]).toContain('attr.os');
    const srvRow = rows.find((r) => r[1] === 'imp-srv-01')!;
    expect(srvRow[rows[0].indexOf('attr.ip')]).toBe('10.9.0.1');
    expect(srvRow[rows[0].indexOf('attr.cpuCores')]).toBe('8');
    // The export imports back as unchanged.
    const back = await p.call('POST', '/cmdb/import', engineer.token, { csv: exported.body });
    expect(back.body.summary.refuse).toBe(0);
    expect(back.body.summary.create + back.body.summary.update).toBe(0);

    const badHeader = await p.call('POST', '/cmdb/import', engineer.token, { csv: 'type,name,colour\nserver,x,red\n' });
    expect(badHeader.status).toBe(400);
    expect(fields(badHeader.body)).toEqual(['csv.header[2]']);
    // Issue 9: an unterminated quote is refused whole (it used to swallow every following row into one field).
    const unterminated = await p.call('POST', '/cmdb/import?dryRun=true', engineer.token, { csv: 'type,name\nserver,"imp-srv-09\nserver,imp-srv-10\n' });
    expect(unterminated.status).toBe(400);
    expect(fields(unterminated.body)).toEqual(['csv']);
    expect(unterminated.body.message).toContain('引号');
  });

  it('needs a token (401) and a role (403); the page itself holds no data', async () => {
    expect((await p.call('GET', '/cmdb/items')).status).toBe(401);
    expect((await p.call('GET', '/cmdb/items/SYS-11/topology')).status).toBe(401);
    expect((await p.call('GET', '/cmdb/items', vendorContact.token)).status).toBe(403);
    expect((await p.call('POST', '/cmdb/items', dispatcher.token, { type: 'server', name: 'n', displayName: 'n', attributes: { os: 'x' } })).status).toBe(403);
    expect((await p.call('POST', '/cmdb/import', dispatcher.token, { csv: 'type,name\n' })).status).toBe(403);
    const page = await p.call('GET', '/cmdb/topology?item=SYS-11');
    expect(page.status).toBe(200);
    expect(page.body).toContain('cytoscape.min.js');
    expect(page.body).not.toContain('放射科PACS/RIS系统');
    const lib = await fetch(`${p.baseUrl}/cmdb/assets/cytoscape.min.js`);
    expect(lib.status).toBe(200);
    expect((await lib.text()).length).toBeGreaterThan(100_000);
  });
});
