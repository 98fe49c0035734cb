import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S14: maintenance records both parties confirm, and the append-only, hash-chained ledger behind them. The records
 * table is the queryable projection; `ledger_entries` is the evidence: each entry holds the SHA-256 of its content,
 * the hash of the entry before it and its signer. A trigger refuses UPDATE and DELETE, so rewriting history takes a
 * superuser disabling it, and `GET /records/verify` still names the first entry that no longer matches.
 */
export class MaintenanceRecords1764800000000 implements MigrationInterface {
  name = 'MaintenanceRecords1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE maintenance_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL UNIQUE,
        source_kind text NOT NULL CHECK (source_kind IN ('incident', 'support_request', 'change', 'modification')),
        source_id uuid NOT NULL,
        source_number text NOT NULL,
        source_seq int NOT NULL,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        title text NOT NULL,
        content jsonb NOT NULL,
        version int NOT NULL DEFAULT 1,
        state text NOT NULL CHECK (state IN ('pending', 'confirmed', 'disputed', 'superseded')),
        hospital_signature jsonb,
        vendor_signature jsonb,
        dispute jsonb,
        started_at timestamptz NOT NULL,
        completed_at timestamptz NOT NULL,
        sla_breached boolean NOT NULL DEFAULT false,
        head_seq bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source_kind, source_id, source_seq)
      )`);
    await q.query(`CREATE INDEX maintenance_records_period ON maintenance_records (completed_at)`);
    await q.query(`CREATE INDEX maintenance_records_system ON maintenance_records (system_id, completed_at)`);
    await q.query(`CREATE INDEX maintenance_records_source ON maintenance_records (source_kind, source_id)`);
    await q.query(`
      CREATE TABLE ledger_entries (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        record_id uuid NOT NULL REFERENCES maintenance_records(id),
        kind text NOT NULL CHECK (kind IN ('recorded', 'confirmed', 'disputed', 'corrected', 'superseded')),
        content jsonb NOT NULL,
        content_hash char(64) NOT NULL,
        prev_hash char(64) NOT NULL UNIQUE,
        entry_hash char(64) NOT NULL UNIQUE,
        corrects_seq bigint REFERENCES ledger_entries(seq),
        signer_id text NOT NULL,
        signer_name text NOT NULL,
        signer_party text NOT NULL CHECK (signer_party IN ('hospital', 'vendor', 'system')),
        signed_at_ms bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ledger_entries_record ON ledger_entries (record_id, seq)`);
    await q.query(`
      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only (S14): % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_no_rewrite BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
    await q.query(`CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries EXECUTE FUNCTION ledger_entries_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP FUNCTION ledger_entries_append_only`);
    await q.query(`DROP TABLE maintenance_records`);
  }
}
