import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Revision, RevisionScripts } from '../domain/change';

export interface ChangeScriptText {
  dialect: string;
  forward: string;
  rollback: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Stores one revision's SQL and gives the reference the workflow carries instead of the text (S4, issue 9). */
export async function saveChangeScripts(
  db: DataSource | EntityManager,
  input: { changeId: string; revision: number; dialect: string; forward: string; rollback: string },
): Promise<RevisionScripts> {
  const scripts: RevisionScripts = {
    id: randomUUID(),
    dialect: input.dialect,
    forwardSha256: sha256(input.forward),
    rollbackSha256: sha256(input.rollback),
    forwardChars: input.forward.length,
    rollbackChars: input.rollback.length,
  };
  await db.query(
    `INSERT INTO change_scripts (id, change_id, revision, dialect, forward_script, rollback_script, forward_sha256, rollback_sha256)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [scripts.id, input.changeId, input.revision, input.dialect, input.forward, input.rollback, scripts.forwardSha256, scripts.rollbackSha256],
  );
  return scripts;
}

/** The SQL of each revision, by reference or (revisions from before the table) inline; a hash mismatch is refused. */
export async function loadRevisionScripts(db: DataSource | EntityManager, revisions: Revision[]): Promise<ChangeScriptText[]> {
  const ids = revisions.map((r) => r.scripts?.id).filter((id): id is string => !!id);
  const rows: { id: string; dialect: string; forward_script: string; rollback_script: string }[] = ids.length
    ? await db.query(`SELECT id, dialect, forward_script, rollback_script FROM change_scripts WHERE id = ANY($1::uuid[])`, [ids])
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return revisions.map((r) => {
    if (!r.scripts) return { dialect: '', forward: r.forwardScript ?? '', rollback: r.rollbackScript ?? '' };
    const row = byId.get(r.scripts.id);
    if (!row) throw new Error(`the scripts of revision ${r.number} (${r.scripts.id}) are missing`);
    if (sha256(row.forward_script) !== r.scripts.forwardSha256 || sha256(row.rollback_script) !== r.scripts.rollbackSha256) {
      throw new Error(`the scripts of revision ${r.number} (${r.scripts.id}) do not match the hashes the review saw`);
    }
    return { dialect: row.dialect, forward: row.forward_script, rollback: row.rollback_script };
  });
}

export interface ScriptDiff {
  forward: string[];
  rollback: string[];
}

/** Keeps the diff of a revision's scripts against the previous revision's; computed once (S4, issue 9). */
export async function saveScriptDiff(db: DataSource | EntityManager, input: { scriptsId: string; previousScriptsId: string | null; diff: ScriptDiff }): Promise<void> {
  await db.query(
    `INSERT INTO change_script_diffs (scripts_id, previous_scripts_id, forward, rollback) VALUES ($1,$2,$3,$4) ON CONFLICT (scripts_id) DO NOTHING`,
    [input.scriptsId, input.previousScriptsId, JSON.stringify(input.diff.forward), JSON.stringify(input.diff.rollback)],
  );
}

/** The stored diffs of the given scripts rows, by scripts id. */
export async function loadScriptDiffs(db: DataSource | EntityManager, scriptsIds: string[]): Promise<Map<string, ScriptDiff>> {
  if (scriptsIds.length === 0) return new Map();
  const rows: { scripts_id: string; forward: string[]; rollback: string[] }[] = await db.query(
    `SELECT scripts_id, forward, rollback FROM change_script_diffs WHERE scripts_id = ANY($1::uuid[])`,
    [scriptsIds],
  );
  return new Map(rows.map((r) => [r.scripts_id, { forward: r.forward, rollback: r.rollback }]));
}
