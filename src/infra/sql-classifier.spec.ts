import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { classifySql, normaliseName, splitSql, SqlDialect, SqlClassification } from './sql-classifier';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'sql');
const load = (dialect: SqlDialect, file: string): string => readFileSync(join(FIXTURES, dialect, file), 'utf8');
const objs = (r: SqlClassification): string[] => r.objects.map((o) => `${o.statementIndex} ${o.type}:${o.name}:${o.action}`);
const kinds = (r: SqlClassification): string[] => r.statements.map((s) => s.kind);
const destructiveIdx = (r: SqlClassification): number[] => r.statements.filter((s) => s.destructive).map((s) => s.index);

interface FixtureExpectation {
  dialect: SqlDialect;
  file: string;
  statements: number;
  kinds: string[];
  objects: string[];
  destructiveStatements: number[];
  unparsed: number[];
  schemaChange: boolean;
  destructive: boolean;
  riskFloor: 'low' | 'medium' | 'high';
}

/** Expectations for every corpus file (statement indexes are 1-based). */
const CORPUS: FixtureExpectation[] = [
  {
    dialect: 'oracle',
    file: 'his_patient_upgrade.sql',
    statements: 10,
    kinds: ['ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'dml', 'dcl', 'other'],
    objects: [
      '1 table:HIS.PAT_MASTER_INDEX:alter',
      '3 index:HIS.IDX_PMI_IDCARD:create',
      '4 view:HIS.V_INPATIENT_CURRENT:create',
      '5 sequence:HIS.SEQ_PAT_VISIT:create',
      '6 procedure:HIS.P_SYNC_BED_STATUS:create',
      '7 trigger:HIS.TRG_PMI_AUDIT:create',
      '8 data:HIS.DEPT_DICT:update',
      '9 table:HIS.V_INPATIENT_CURRENT:grant',
    ],
    destructiveStatements: [],
    unparsed: [],
    schemaChange: true,
    destructive: false,
    riskFloor: 'medium',
  },
  {
    dialect: 'oracle',
    file: 'pacs_cleanup.sql',
    statements: 10,
    kinds: ['ddl', 'dml', 'dml', 'ddl', 'ddl', 'ddl', 'ddl', 'dml', 'ddl', 'other'],
    objects: [
      '1 table:PACS.TMP_IMAGE_INDEX:truncate',
      '2 data:PACS.EXAM_QUEUE:delete',
      '3 data:PACS.EXAM_REPORT_DRAFT:delete',
      '4 table:PACS.EXAM_MASTER:alter',
      '5 table:PACS.Exam Appendix:rename',
      '6 table:PACS.EXAM_BAK_2019:drop',
      '7 package:PACS.PKG_EXAM:create',
      '8 data:PACS.EXAM_DICT:merge',
      '9 index:PACS.IDX_EXAM_OLD:drop',
    ],
    destructiveStatements: [1, 2, 4, 6, 8, 9],
    unparsed: [10],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  {
    dialect: 'sqlserver',
    file: 'lis_emr_release.sql',
    statements: 15,
    kinds: ['other', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'dml', 'dml', 'ddl', 'ddl', 'ddl', 'ddl', 'dcl', 'dml', 'query'],
    objects: [
      '2 table:dbo.患者信息:alter',
      '3 table:dbo.检验 申请单:create',
      '4 index:IX_LabRequest_Patient:create',
      '5 view:dbo.v_lab_pending:create',
      '6 procedure:dbo.usp_LabResult_Import:create',
      '7 data:dbo.lab_result:update',
      '8 data:dbo.lab_result_stage:delete',
      '9 table:dbo.lab_interface_log:truncate',
      '10 table:dbo.lab_result:alter',
      '11 table:dbo.lab_result_bak:drop',
      '12 table:dbo.lab_result:alter',
      '13 procedure:dbo.usp_LabResult_Import:grant',
      '14 data:dbo.lab_item_dict:merge',
    ],
    destructiveStatements: [7, 9, 11, 12, 14],
    unparsed: [],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  {
    dialect: 'sqlserver',
    file: 'his_data_fix_low_risk.sql',
    statements: 3,
    kinds: ['dml', 'dml', 'query'],
    objects: ['1 data:dbo.outp_registration:update', '2 data:dbo.audit_note:insert'],
    destructiveStatements: [],
    unparsed: [],
    schemaChange: false,
    destructive: false,
    riskFloor: 'low',
  },
  {
    dialect: 'mysql',
    file: 'pacs_registration.sql',
    statements: 14,
    kinds: ['ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'dml', 'dml', 'dml', 'ddl', 'ddl', 'dcl', 'ddl', 'other'],
    objects: [
      '1 table:pacs.exam_appointment:create',
      '2 table:pacs.exam_appointment:alter',
      '3 table:pacs.exam_appointment:alter',
      '4 view:pacs.v_today_appt:create',
      '5 procedure:pacs.sp_close_day:create',
      '6 trigger:pacs.trg_appt_bi:create',
      '7 data:pacs.exam_appointment:insert',
      '8 data:pacs.exam_appointment:update',
      '9 data:pacs.exam_appointment:delete',
      '10 table:pacs.exam_log:rename',
      '11 view:pacs.v_old_appt:drop',
      '12 table:pacs.exam_appointment:grant',
      '13 table:pacs.exam_tmp:truncate',
    ],
    destructiveStatements: [3, 8, 11, 13],
    unparsed: [14],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  {
    dialect: 'postgresql',
    file: 'emr_nursing.sql',
    statements: 16,
    kinds: ['ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'ddl', 'dml', 'dml', 'ddl', 'ddl', 'dcl', 'query', 'ddl', 'ddl'],
    objects: [
      '1 schema:nursing:create',
      '2 table:nursing.Vital Signs:create',
      '4 table:nursing.patient_bed:alter',
      '5 index:idx_vital_patient:create',
      '6 function:nursing.fn_bmi:create',
      '7 table:nursing.patient_bed:alter',
      '8 view:nursing.v_latest_vitals:create',
      '9 data:nursing.patient_bed:delete',
      '10 data:nursing.patient_bed:update',
      '11 table:nursing.patient_bed:alter',
      '12 function:nursing.fn_old_score:drop',
      '13 table:nursing.v_latest_vitals:grant',
      '15 table:(name built at run time):alter',
      '16 table:nursing.patient_bed:rename',
    ],
    destructiveStatements: [9, 11, 12],
    unparsed: [15],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  // Issue 9 (S4 fail closed): scripts in the shapes vendors, mysqldump and SSMS actually produce.
  {
    dialect: 'mysql',
    file: 'his_outpatient_mysqldump.sql',
    statements: 25,
    kinds: ['other', 'other', 'other', 'other', 'other', 'other', 'other', 'ddl', 'other', 'other', 'ddl', 'other', 'other', 'other', 'dml', 'other', 'other', 'ddl', 'ddl', 'ddl', 'ddl', 'other', 'other', 'other', 'other'],
    objects: [
      '8 table:outp_queue:drop',
      '11 table:outp_queue:create',
      '15 data:outp_queue:insert',
      '18 table:v_outp_waiting:drop',
      '19 view:v_outp_waiting:drop',
      '20 trigger:trg_queue_bi:create',
      '21 view:v_outp_waiting:create',
    ],
    destructiveStatements: [8, 18, 19],
    unparsed: [],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  {
    dialect: 'sqlserver',
    file: 'ssms_lis_specimen.sql',
    statements: 9,
    kinds: ['other', 'other', 'other', 'ddl', 'other', 'other', 'ddl', 'ddl', 'other'],
    objects: ['4 table:dbo.specimen_track:create', '7 view:dbo.v_specimen_last:create', '8 table:dbo.specimen_track:alter'],
    destructiveStatements: [],
    unparsed: [],
    schemaChange: true,
    destructive: false,
    riskFloor: 'medium',
  },
  {
    dialect: 'sqlserver',
    file: 'lis_vendor_upgrade_dynamic.sql',
    statements: 8,
    kinds: ['other', 'other', 'ddl', 'ddl', 'ddl', 'ddl', 'other', 'query'],
    objects: [
      '3 table:(every table):alter',
      '4 table:dbo.lab_result_bak_0302:create',
      '5 table:(name built at run time):drop',
      '6 table:dbo.lab_result:alter',
    ],
    destructiveStatements: [5],
    unparsed: [3, 5, 7],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
  {
    dialect: 'oracle',
    file: 'emr_session_header_fix.sql',
    statements: 6,
    kinds: ['other', 'other', 'other', 'dml', 'dml', 'other'],
    objects: ['4 data:EMR.QC_RECORD:update', '5 data:EMR.QC_LOG:insert'],
    destructiveStatements: [],
    unparsed: [],
    schemaChange: false,
    destructive: false,
    riskFloor: 'low',
  },
  {
    dialect: 'oracle',
    file: 'emr_gtt_stage.sql',
    statements: 4,
    kinds: ['other', 'ddl', 'ddl', 'other'],
    objects: ['2 table:EMR.GTT_ARCHIVE_STAGE:create', '3 table:EMR.GTT_ARCHIVE_KEEP:create'],
    destructiveStatements: [],
    unparsed: [4],
    schemaChange: true,
    destructive: false,
    riskFloor: 'high',
  },
  {
    dialect: 'postgresql',
    file: 'pacs_archive_select_into.sql',
    statements: 8,
    kinds: ['other', 'other', 'query', 'ddl', 'query', 'ddl', 'query', 'dml'],
    objects: ['4 table:pacs.study_archive_2026q1:create', '6 table:(name built at run time):drop', '8 data:pacs.study:update'],
    destructiveStatements: [6],
    unparsed: [6, 7],
    schemaChange: true,
    destructive: true,
    riskFloor: 'high',
  },
];

describe('SQL classifier corpus (test/fixtures/sql)', () => {
  it('covers every fixture file and at least 40 statements across the four dialects', () => {
    const files = (['oracle', 'sqlserver', 'mysql', 'postgresql'] as const).flatMap((d) =>
      readdirSync(join(FIXTURES, d))
        .filter((f) => f.endsWith('.sql'))
        .map((f) => `${d}/${f}`),
    );
    expect(files.sort()).toEqual(CORPUS.map((c) => `${c.dialect}/${c.file}`).sort());
    expect(CORPUS.reduce((n, c) => n + c.statements, 0)).toBeGreaterThanOrEqual(40);
  });

  describe.each(CORPUS)('$dialect/$file', (exp) => {
    const r = classifySql(load(exp.dialect, exp.file), exp.dialect);

    it('splits into the expected statements with the expected kinds', () => {
      expect(r.statements).toHaveLength(exp.statements);
      expect(r.statements.map((s) => s.index)).toEqual(Array.from({ length: exp.statements }, (_, i) => i + 1));
      expect(kinds(r)).toEqual(exp.kinds);
    });
    it('finds the touched objects', () => {
      expect(objs(r)).toEqual(exp.objects);
    });
    it('flags destructive statements, unparsed statements, schema change and risk floor', () => {
      expect(destructiveIdx(r)).toEqual(exp.destructiveStatements);
      expect(r.unparsed.map((u) => u.index)).toEqual(exp.unparsed);
      expect(r.schemaChange).toBe(exp.schemaChange);
      expect(r.destructive).toBe(exp.destructive);
      expect(r.riskFloor).toBe(exp.riskFloor);
    });
    it('keeps statement text trimmed, without leading comments and at most 2000 characters', () => {
      for (const s of r.statements) {
        expect(s.text).toBe(s.text.trim());
        expect(s.text.length).toBeLessThanOrEqual(2000);
        expect(s.text.startsWith('--')).toBe(false);
        expect(s.text.startsWith('/*')).toBe(false);
        expect(s.text.endsWith(';')).toBe(false);
      }
    });
    it('records a parse error for every statement classified by the keyword fallback', () => {
      for (const s of r.statements) {
        if (!s.parsed) expect(s.parseError).toEqual(expect.any(String));
        else expect(s.parseError).toBeUndefined();
      }
    });
  });

  it('Oracle: a CREATE OR REPLACE PROCEDURE body with IF/LOOP/CASE and inner semicolons is one statement', () => {
    const r = classifySql(load('oracle', 'his_patient_upgrade.sql'), 'oracle');
    const proc = r.statements[5];
    expect(proc.text).toMatch(/^CREATE OR REPLACE PROCEDURE his\.p_sync_bed_status/);
    expect(proc.text).toMatch(/END p_sync_bed_status$/);
    expect(proc.text).toContain('END LOOP;');
    expect(proc.parsed).toBe(false);
    expect(proc.reasons).toContain('CREATE OR REPLACE PROCEDURE replaces any existing definition');
    // the procedure's inner UPDATEs run when it is called, not now
    expect(proc.objects).toEqual([{ type: 'procedure', name: 'HIS.P_SYNC_BED_STATUS', action: 'create', statementIndex: 6 }]);
  });

  it('Oracle: a package body with nested subprograms ends at END <name>; and its body DELETE is not executed now', () => {
    const r = classifySql(load('oracle', 'pacs_cleanup.sql'), 'oracle');
    const pkg = r.statements[6];
    expect(pkg.text).toMatch(/^CREATE OR REPLACE PACKAGE BODY pacs\.pkg_exam AS/);
    expect(pkg.text).toMatch(/END pkg_exam$/);
    expect(pkg.destructive).toBe(false);
  });

  it('unparseable SQL needs review and says which statement failed', () => {
    const r = classifySql(load('oracle', 'pacs_cleanup.sql'), 'oracle');
    expect(r.unparsed).toEqual([
      { index: 10, text: 'SELEC * FORM pacs.exam_master', error: expect.stringMatching(/^statement 10 \(line 42\) could not be classified: .*"SELEC"/) },
    ]);
    expect(r.statements[9].reasons).toContain('not understood: needs review');
  });

  it('comments and strings with semicolons and DROP are not statements or findings', () => {
    const r = classifySql(load('postgresql', 'emr_nursing.sql'), 'postgresql');
    expect(r.statements[0].text).toBe('CREATE SCHEMA IF NOT EXISTS nursing');
    expect(r.objects.some((o) => o.name === 'x')).toBe(false);
    expect(r.statements[13].text).toBe("SELECT count(*) FROM nursing.patient_bed WHERE note = 'a;b'");
  });
});

describe('splitting', () => {
  it('SQL Server: GO on its own line (any case, with a count) separates batches; GO in strings or comments does not', () => {
    const sql = "SELECT 'GO'\n/*\nGO\n*/\nSELECT 2\ngo\nSELECT 3\n  GO 2  \nSELECT [x;GO]\n";
    expect(splitSql(sql, 'sqlserver').map((s) => s.text)).toEqual(["SELECT 'GO'\n/*\nGO\n*/\nSELECT 2", 'SELECT 3', 'SELECT [x;GO]']);
  });

  it('SQL Server: IF … BEGIN … END with inner semicolons stays one statement; BEGIN TRAN does not open a block', () => {
    const sql = 'BEGIN TRAN;\nIF 1 = 1\nBEGIN\n  UPDATE dbo.a SET x = 1 WHERE id = 1;\n  DELETE FROM dbo.b WHERE id = 2;\nEND;\nCOMMIT;';
    expect(splitSql(sql, 'sqlserver').map((s) => s.text.split('\n')[0])).toEqual(['BEGIN TRAN', 'IF 1 = 1', 'COMMIT']);
  });

  it('Oracle: blocks end at END; or at a / line; SQL*Plus commands are skipped; q-quoted strings hide semicolons', () => {
    const sql = [
      'SET DEFINE OFF',
      'PROMPT creating things; really',
      'DECLARE v NUMBER; BEGIN SELECT 1 INTO v FROM dual; END;',
      'CREATE OR REPLACE FUNCTION f RETURN NUMBER IS BEGIN RETURN 1; END f;',
      "UPDATE t SET a = q'[x;y]' WHERE id = 1;",
      'CREATE TYPE t_obj AS OBJECT (a NUMBER);',
      '/',
      'CREATE OR REPLACE TYPE BODY t_obj AS MEMBER FUNCTION g RETURN NUMBER IS BEGIN RETURN 1; END; END;',
      '/',
    ].join('\n');
    expect(splitSql(sql, 'oracle').map((s) => s.text.slice(0, 20))).toEqual([
      'DECLARE v NUMBER; BE',
      'CREATE OR REPLACE FU',
      'UPDATE t SET a = q\'[',
      'CREATE TYPE t_obj AS',
      'CREATE OR REPLACE TY',
    ]);
  });

  it('MySQL: DELIMITER blocks, and BEGIN … END bodies without DELIMITER', () => {
    const sql = 'DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN IF NEW.x IS NULL THEN SET NEW.x = 1; END IF; END;\nSELECT 3;';
    expect(splitSql(sql, 'mysql').map((s) => s.text.slice(0, 16))).toEqual(['CREATE PROCEDURE', 'CREATE TRIGGER t', 'SELECT 3']);
  });

  it('PostgreSQL: dollar-quoted bodies ($$ and $tag$) hide semicolons; $1 parameters are not quotes', () => {
    const sql = "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;\nDO $$ BEGIN PERFORM 1; END $$;\nUPDATE t SET a = $1 WHERE id = $2;";
    expect(splitSql(sql, 'postgresql')).toHaveLength(3);
  });

  it('an empty or comment-only script has no statements and low risk', () => {
    const r = classifySql('  -- nothing here; DROP TABLE x;\n/* ; */\n', 'postgresql');
    expect(r).toEqual({ dialect: 'postgresql', statements: [], objects: [], schemaChange: false, destructive: false, unparsed: [], riskFloor: 'low' });
  });
});

describe('classification details', () => {
  it('SQL Server: several statements in one batch without semicolons are all found', () => {
    const r = classifySql('ALTER TABLE dbo.a ADD c int\nCREATE INDEX ix_a_c ON dbo.a(c)\nGO\n', 'sqlserver');
    expect(r.statements).toHaveLength(1);
    expect(objs(r).sort()).toEqual(['1 index:ix_a_c:create', '1 table:dbo.a:alter']);
    expect(r.schemaChange).toBe(true);
  });

  it('Oracle anonymous block: the DML inside runs now, so DELETE without WHERE is destructive', () => {
    const r = classifySql('BEGIN\n  IF 1 = 1 THEN\n    DELETE FROM his.tmp_x;\n  END IF;\nEND;\n/', 'oracle');
    expect(r.statements).toHaveLength(1);
    expect(objs(r)).toEqual(['1 data:HIS.TMP_X:delete']);
    expect(r.destructive).toBe(true);
  });

  it('dynamic SQL that cannot be resolved is unparsed; resolvable dynamic SQL is classified', () => {
    const opaque = classifySql("BEGIN EXECUTE IMMEDIATE v_sql; END;", 'oracle');
    expect(opaque.unparsed).toHaveLength(1);
    expect(opaque.schemaChange).toBe(true);
    const literal = classifySql("BEGIN EXECUTE IMMEDIATE 'TRUNCATE TABLE his.tmp_y'; END;", 'oracle');
    expect(objs(literal)).toEqual(['1 table:HIS.TMP_Y:truncate']);
    expect(literal.destructive).toBe(true);
  });

  it('UPDATE whose only WHERE is inside a subquery is still without WHERE', () => {
    const r = classifySql('UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id);', 'postgresql');
    expect(r.statements[0].destructive).toBe(true);
    expect(r.statements[0].reasons.join()).toMatch(/UPDATE without WHERE/);
  });

  it('T-SQL DELETE with alias resolves the real table; CREATE OR ALTER counts once', () => {
    const d = classifySql('DELETE t FROM dbo.x t JOIN dbo.y ON y.id = t.id WHERE y.flag = 1', 'sqlserver');
    expect(objs(d)).toEqual(['1 data:dbo.x:delete']);
    expect(d.destructive).toBe(false);
    const v = classifySql('CREATE OR ALTER PROCEDURE dbo.p AS BEGIN SELECT 1; END', 'sqlserver');
    expect(objs(v)).toEqual(['1 procedure:dbo.p:create']);
  });

  it('trigger events and grants are not DML; MERGE without DELETE is not destructive', () => {
    const r = classifySql(
      "CREATE TRIGGER trg AFTER INSERT OR DELETE ON pat FOR EACH ROW EXECUTE FUNCTION f();\nGRANT DELETE, UPDATE ON pat TO app;\n",
      'postgresql',
    );
    expect(objs(r)).toEqual(['1 trigger:trg:create', '2 table:pat:grant']);
    expect(r.destructive).toBe(false);
    const m = classifySql('MERGE INTO a USING b ON (a.id = b.id) WHEN MATCHED THEN UPDATE SET a.x = b.x;', 'oracle');
    expect(objs(m)).toEqual(['1 data:A:merge']);
    expect(m.destructive).toBe(false);
  });

  it('a fallback-classified statement is parsed:false with the parser error recorded', () => {
    const r = classifySql('CREATE OR REPLACE PROCEDURE p IS BEGIN NULL; END;', 'oracle');
    expect(r.statements[0]).toMatchObject({ parsed: false, kind: 'ddl', parseError: expect.stringMatching(/Expected/) });
    expect(r.unparsed).toEqual([]);
  });

  it('long statements are cut to 2000 characters', () => {
    const long = `INSERT INTO t (a) VALUES ('${'x'.repeat(5000)}')`;
    const r = classifySql(long, 'mysql');
    expect(r.statements[0].text.length).toBe(2000);
  });

  it('rejects an unknown dialect', () => {
    expect(() => classifySql('SELECT 1', 'db2' as SqlDialect)).toThrow(/unsupported SQL dialect/);
  });
});

describe('names', () => {
  it.each<[SqlDialect, string, string]>([
    ['oracle', 'his.Pat_Master', 'HIS.PAT_MASTER'],
    ['oracle', '"his"."Pat Master"', 'his.Pat Master'],
    ['postgresql', 'Nursing."Vital Signs"', 'nursing.Vital Signs'],
    ['postgresql', 'Nursing.Patient_Bed', 'nursing.patient_bed'],
    ['sqlserver', '[dbo].[检验 申请单]', 'dbo.检验 申请单'],
    ['sqlserver', 'dbo . PatInfo', 'dbo.PatInfo'],
    ['mysql', '`pacs`.`appt time`', 'pacs.appt time'],
    ['mysql', 'pacs.ExamLog', 'pacs.ExamLog'],
  ])('%s %s → %s', (dialect, raw, expected) => {
    expect(normaliseName(raw, dialect)).toBe(expected);
  });

  it('names from the parser keep quoted case and fold unquoted case', () => {
    const pg = classifySql('ALTER TABLE Nursing."Bed Log" ADD COLUMN x int', 'postgresql');
    expect(objs(pg)).toEqual(['1 table:nursing.Bed Log:alter']);
    const ora = classifySql('drop table his.tmp_a', 'oracle');
    expect(objs(ora)).toEqual(['1 table:HIS.TMP_A:drop']);
  });
});

/** Issue 9, S4: what the classifier cannot see goes to a person; false alarms on common script headers are gone. */
describe('S4 fail closed: dynamic SQL, procedure calls, executable comments', () => {
  const c = (sql: string, d: SqlDialect) => classifySql(sql, d);
  const needsReview = (r: SqlClassification) => {
    expect(r.unparsed.length).toBeGreaterThan(0);
    expect(r.schemaChange).toBe(true);
    expect(r.riskFloor).toBe('high');
  };

  it.each<[string, SqlDialect, string]>([
    ['T-SQL EXEC(@sql) outside a block', 'sqlserver', "DECLARE @s nvarchar(max) = N'SELECT 1';\nEXEC(@s);"],
    ['T-SQL EXECUTE (@sql) in a batch', 'sqlserver', 'DECLARE @s nvarchar(200)\nSET @s = (SELECT TOP 1 cmd FROM dbo.pending_cmds)\nEXECUTE (@s)'],
    ['T-SQL sp_executesql @sql', 'sqlserver', 'DECLARE @s nvarchar(200) = (SELECT TOP 1 cmd FROM dbo.pending_cmds)\nEXEC sp_executesql @s'],
    ['T-SQL EXEC of a procedure named in a variable', 'sqlserver', "DECLARE @p sysname = N'dbo.usp_x'\nEXEC @p"],
    ['T-SQL EXEC of a procedure the script does not define', 'sqlserver', 'EXEC dbo.usp_vendor_upgrade @step = 1'],
    ['sp_MSforeachtable with DDL', 'sqlserver', "EXEC sp_MSforeachtable 'ALTER TABLE ? NOCHECK CONSTRAINT ALL'"],
    ['Oracle EXECUTE IMMEDIATE of a variable at top level', 'oracle', "DECLARE v VARCHAR2(200); BEGIN SELECT cmd INTO v FROM t_cmd WHERE id = 1; EXECUTE IMMEDIATE v; END;"],
    ['Oracle SQL*Plus EXEC of a package procedure', 'oracle', 'EXEC his.pkg_upgrade.run(2);'],
    ['Oracle CALL', 'oracle', 'CALL his.p_rebuild();'],
    ['Oracle anonymous block calling a procedure', 'oracle', "BEGIN\n  his.pkg_upgrade.run(1);\n  dbms_output.put_line('done');\nEND;\n/"],
    ['Oracle DBMS_SQL', 'oracle', "DECLARE c INTEGER := DBMS_SQL.OPEN_CURSOR; BEGIN DBMS_SQL.PARSE(c, v_sql, DBMS_SQL.NATIVE); END;"],
    ['PostgreSQL SELECT of a vendor function', 'postgresql', 'SELECT pacs.fn_move_studies(365);'],
    ['PostgreSQL CALL', 'postgresql', 'CALL nursing.p_rebuild();'],
    ['PostgreSQL EXECUTE of a prepared statement', 'postgresql', 'EXECUTE upgrade_step(2);'],
    ['PostgreSQL DO with EXECUTE of a variable', 'postgresql', 'DO $$ DECLARE s text; BEGIN SELECT cmd INTO s FROM t_cmd LIMIT 1; EXECUTE s; END $$;'],
    ['PostgreSQL DO with PERFORM of a vendor function', 'postgresql', 'DO $$ BEGIN PERFORM pacs.fn_rebuild(); END $$;'],
    ['MySQL PREPARE … EXECUTE', 'mysql', "SET @s = (SELECT cmd FROM t_cmd LIMIT 1);\nPREPARE st FROM @s;\nEXECUTE st;\nDEALLOCATE PREPARE st;"],
    ['MySQL CALL', 'mysql', 'CALL pacs.sp_rebuild_index();'],
    ['DBCC', 'sqlserver', "DBCC CHECKIDENT ('dbo.lab_result', RESEED, 0)"],
  ])('%s needs review at high risk', (_name, dialect, sql) => {
    needsReview(c(sql, dialect));
  });

  it('only statements understood in full pass: session settings, transactions and plain queries stay low risk', () => {
    const r = c("SET NOCOUNT ON;\nBEGIN TRAN;\nUPDATE dbo.t SET a = 1 WHERE id = 2;\nSELECT COUNT(*) FROM dbo.t;\nCOMMIT;\nPRINT N'完成';", 'sqlserver');
    expect(r.statements).toHaveLength(6);
    expect(r.unparsed).toEqual([]);
    expect(r.riskFloor).toBe('low');
  });

  it('literal dynamic SQL is classified like a script (EXEC(…), sp_executesql N…, EXECUTE IMMEDIATE, PL/pgSQL EXECUTE)', () => {
    expect(objs(c("EXEC('ALTER TABLE dbo.a ADD c int')", 'sqlserver'))).toEqual(['1 table:dbo.a:alter']);
    const sp = c("EXEC sp_executesql N'DROP TABLE dbo.lab_old'", 'sqlserver');
    expect(objs(sp)).toEqual(['1 table:dbo.lab_old:drop']);
    expect(sp.destructive).toBe(true);
    expect(objs(c("BEGIN EXECUTE IMMEDIATE 'CREATE INDEX his.ix_a ON his.a (b)'; END;", 'oracle'))).toEqual(['1 index:HIS.IX_A:create']);
    expect(objs(c("DO $$ BEGIN EXECUTE 'ALTER TABLE nursing.bed ADD COLUMN x int'; END $$;", 'postgresql'))).toEqual(['1 table:nursing.bed:alter']);
    expect(c("EXEC('ALTER TABLE dbo.a ADD c int')", 'sqlserver').unparsed).toEqual([]);
  });

  it('a dynamic DROP of a concatenated name is destructive (T-SQL +, Oracle ||, PL/pgSQL ||, MySQL CONCAT)', () => {
    const cases: [string, SqlDialect][] = [
      ["DECLARE @t sysname = N'lab_2019'\nEXEC('DROP TABLE dbo.' + @t)", 'sqlserver'],
      ["DECLARE @t sysname = N'lab_2019'\nDECLARE @s nvarchar(400) = N'DROP TABLE dbo.' + QUOTENAME(@t)\nEXEC sp_executesql @s", 'sqlserver'],
      ["BEGIN FOR t IN (SELECT table_name FROM user_tables) LOOP EXECUTE IMMEDIATE 'DROP TABLE ' || t.table_name; END LOOP; END;", 'oracle'],
      ["DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables LOOP EXECUTE 'DROP TABLE ' || quote_ident(r.tablename); END LOOP; END $$;", 'postgresql'],
      ["SET @s = CONCAT('DROP TABLE ', @t);\nPREPARE st FROM @s;\nEXECUTE st;", 'mysql'],
      ["DECLARE @s nvarchar(400)\nSET @s = 'TRUNCATE TABLE dbo.' + @t\nEXEC(@s)", 'sqlserver'],
    ];
    for (const [sql, dialect] of cases) {
      const r = c(sql, dialect);
      expect({ sql, destructive: r.destructive, risk: r.riskFloor }).toEqual({ sql, destructive: true, risk: 'high' });
      expect(r.objects.map((o) => o.name)).toContain('(name built at run time)');
      expect(r.unparsed.length).toBeGreaterThan(0);
    }
  });

  it('sp_MSforeachtable with DELETE is destructive on every table', () => {
    const r = c('EXEC sp_MSforeachtable "DELETE FROM ?"', 'sqlserver');
    expect(r.destructive).toBe(true);
    expect(objs(r)).toEqual(['1 data:(every table):delete']);
  });

  it('SELECT … INTO creates a table (T-SQL, PostgreSQL); into a temporary table or variables it does not', () => {
    expect(objs(c('SELECT * INTO dbo.lab_result_bak FROM dbo.lab_result', 'sqlserver'))).toEqual(['1 table:dbo.lab_result_bak:create']);
    expect(objs(c('SELECT * INTO lab_result_bak FROM lab_result;', 'postgresql'))).toEqual(['1 table:lab_result_bak:create']);
    expect(objs(c('SELECT a, b INTO UNLOGGED TABLE lab_copy FROM lab_result;', 'postgresql'))).toEqual(['1 table:lab_copy:create']);
    const temp = c('SELECT * INTO #t FROM dbo.lab_result', 'sqlserver');
    expect(temp.schemaChange).toBe(false);
    expect(c('SELECT id INTO TEMP t FROM lab_result;', 'postgresql').schemaChange).toBe(false);
    expect(c('DECLARE @n int\nSELECT @n = COUNT(*) FROM dbo.lab_result', 'sqlserver').schemaChange).toBe(false);
    expect(c("DECLARE n NUMBER; BEGIN SELECT COUNT(*) INTO n FROM his.t; END;", 'oracle').schemaChange).toBe(false);
  });

  it('MySQL executable comments /*!… */ are code: mysqldump\'s DROP VIEW and CREATE VIEW are seen', () => {
    const r = c('/*!40101 SET NAMES utf8 */;\n/*!50001 DROP VIEW IF EXISTS `v_old`*/;\n/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50001 VIEW `v_new` AS select 1 AS `a` */;', 'mysql');
    expect(objs(r)).toEqual(['2 view:v_old:drop', '3 view:v_new:create']);
    expect(r.destructive).toBe(true);
    // a plain comment is still a comment
    expect(c('/* DROP TABLE x; */ SELECT 1;', 'mysql').objects).toEqual([]);
  });

  it('false alarms: Oracle ALTER SESSION headers, ON COMMIT DELETE ROWS, DDL in nested PostgreSQL comments', () => {
    const session = c("ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD';\nALTER SESSION SET CURRENT_SCHEMA = HIS;\nUPDATE his.t SET a = 1 WHERE id = 2;", 'oracle');
    expect(session).toMatchObject({ unparsed: [], schemaChange: false, riskFloor: 'low' });
    const gtt = c('CREATE GLOBAL TEMPORARY TABLE his.tmp_x (id NUMBER) ON COMMIT DELETE ROWS;', 'oracle');
    expect(objs(gtt)).toEqual(['1 table:HIS.TMP_X:create']);
    expect(gtt.destructive).toBe(false);
    const nested = c('/* outer /* inner */ DROP TABLE x; */\nUPDATE t SET a = 1 WHERE id = 2;', 'postgresql');
    expect(objs(nested)).toEqual(['1 data:t:update']);
    expect(nested.riskFloor).toBe('low');
  });

  it('a procedure the script defines is resolved when it is called: its body runs now', () => {
    const r = c('CREATE PROCEDURE dbo.usp_fix AS\nBEGIN\n  DELETE FROM dbo.tmp;\nEND\nGO\nEXEC dbo.usp_fix\nGO', 'sqlserver');
    expect(r.unparsed).toEqual([]);
    expect(destructiveIdx(r)).toEqual([2]);
    expect(objs(r)).toEqual(['1 procedure:dbo.usp_fix:create', '2 data:dbo.tmp:delete']);
  });

  it('known system procedures pass: extended properties, output, statistics', () => {
    expect(c("EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'患者', @level0type=N'SCHEMA', @level0name=N'dbo'", 'sqlserver').unparsed).toEqual([]);
    expect(c("BEGIN dbms_output.put_line('x'); dbms_stats.gather_table_stats('HIS', 'T'); END;", 'oracle').unparsed).toEqual([]);
    expect(c("SELECT pg_catalog.set_config('search_path', '', false);\nSELECT setval('s', 4, true);", 'postgresql').unparsed).toEqual([]);
  });

  it('PURGE is destructive; SET GLOBAL needs review', () => {
    expect(c('PURGE RECYCLEBIN;', 'oracle').destructive).toBe(true);
    needsReview(c('SET GLOBAL max_connections = 2000;', 'mysql'));
  });
});

describe('T-SQL session temporary tables (#t) are not schema changes', () => {
  it('CREATE, SELECT INTO, DELETE and DROP of #t change no schema and destroy nothing that lasts', () => {
    const r = classifySql(
      "CREATE TABLE #ids (id int)\nINSERT INTO #ids SELECT id FROM dbo.lab_result WHERE flag = 1\nDELETE FROM #ids\nIF OBJECT_ID('tempdb..#ids') IS NOT NULL DROP TABLE #ids\nGO\nTRUNCATE TABLE #other\nGO",
      'sqlserver',
    );
    expect(r).toMatchObject({ schemaChange: false, destructive: false, unparsed: [], riskFloor: 'low' });
    expect(r.objects).toEqual([]);
    // a real table beside it still counts
    expect(classifySql('DROP TABLE #t\nDROP TABLE dbo.t', 'sqlserver')).toMatchObject({ destructive: true, objects: [expect.objectContaining({ name: 'dbo.t', action: 'drop' })] });
  });
});
