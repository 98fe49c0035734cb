import { DataSource, EntityManager } from 'typeorm';
import { CheckDefinition, validateCheck } from '../../domain/inspection/catalogue';
import { SHIPPED_CHECKS } from '../../domain/inspection/shipped-checks';
import { DomainError, DomainErrorCode } from '../../domain/errors';

type Db = DataSource | EntityManager;

/** Lock key of catalogue writes: the shipped checks' sync and a hospital's publication never race to one version. */
const CATALOGUE_LOCK = 7_640_700_001;

/**
 * Loads the shipped checks (version 1 of each, or whatever version a release ships) into the catalogue once. A
 * version a hospital published is never touched: a shipped version that collides with it is skipped.
 */
export async function syncShippedChecks(ds: DataSource): Promise<void> {
  const [{ missing }] = await ds.query(
    `SELECT count(*)::int AS missing FROM unnest($1::text[], $2::int[]) AS s(id, v) WHERE NOT EXISTS (SELECT 1 FROM inspection_checks c WHERE c.check_id = s.id AND c.version >= s.v)`,
    [SHIPPED_CHECKS.map((c) => c.id), SHIPPED_CHECKS.map((c) => c.version)],
  );
  if (missing === 0) return;
  await ds.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CATALOGUE_LOCK]);
    for (const c of SHIPPED_CHECKS) {
      await tx.query(
        `INSERT INTO inspection_checks (check_id, version, definition, source, created_by_name)
         SELECT $1, $2, $3, 'shipped', 'wardline' WHERE NOT EXISTS (SELECT 1 FROM inspection_checks WHERE check_id = $1 AND version >= $2)`,
        [c.id, c.version, JSON.stringify(c)],
      );
    }
  });
}

export interface StoredCheck {
  definition: CheckDefinition;
  source: 'shipped' | 'hospital';
  createdByName: string;
  createdAt: string;
}

const toStored = (r: { definition: CheckDefinition; version: number; source: 'shipped' | 'hospital'; created_by_name: string; created_at: Date }): StoredCheck => ({
  definition: { ...r.definition, version: r.version },
  source: r.source,
  createdByName: r.created_by_name,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The current catalogue: the latest version of every check, enabled or not. */
export async function currentCatalogue(db: Db): Promise<StoredCheck[]> {
  const rows = await db.query(
    `SELECT DISTINCT ON (check_id) check_id, version, definition, source, created_by_name, created_at FROM inspection_checks ORDER BY check_id, version DESC`,
  );
  return rows.map(toStored);
}

export async function checkVersions(db: Db, checkId: string): Promise<StoredCheck[]> {
  const rows = await db.query(`SELECT version, definition, source, created_by_name, created_at FROM inspection_checks WHERE check_id = $1 ORDER BY version`, [checkId]);
  return rows.map(toStored);
}

/** Given versions of checks, as an inspection recorded them. */
export async function checksAt(db: Db, refs: { id: string; version: number }[]): Promise<CheckDefinition[]> {
  if (!refs.length) return [];
  const rows = await db.query(
    `SELECT c.version, c.definition FROM inspection_checks c JOIN unnest($1::text[], $2::int[]) AS r(id, v) ON c.check_id = r.id AND c.version = r.v ORDER BY c.check_id`,
    [refs.map((r) => r.id), refs.map((r) => r.version)],
  );
  return rows.map((r: { version: number; definition: CheckDefinition }) => ({ ...r.definition, version: r.version }));
}

/**
 * Publishes a check: a new id starts at version 1, a known id gets the next version (the older ones stay, so
 * past inspections still say what they ran). Refuses what the validator refuses, naming each field.
 */
export async function publishCheck(ds: DataSource, def: Omit<CheckDefinition, 'version'>, actor: { id: string | null; name: string }): Promise<StoredCheck> {
  const problems = validateCheck(def);
  if (problems.length) {
    throw new DomainError(DomainErrorCode.InvalidInput, problems.map((p) => `${p.field}: ${p.en}`).join('; '), { field: problems[0].field, problems }, `检查项定义有误：${problems.map((p) => `${p.field}：${p.zh}`).join('；')}`);
  }
  await syncShippedChecks(ds);
  return ds.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CATALOGUE_LOCK]);
    const [{ next }] = await tx.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM inspection_checks WHERE check_id = $1`, [def.id]);
    const definition: CheckDefinition = { ...def, version: next };
    const [row] = await tx.query(
      `INSERT INTO inspection_checks (check_id, version, definition, source, created_by, created_by_name) VALUES ($1, $2, $3, 'hospital', $4, $5)
       RETURNING version, definition, source, created_by_name, created_at`,
      [def.id, next, JSON.stringify(definition), actor.id, actor.name],
    );
    return toStored(row);
  });
}
