import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S18: the service contract as a record (period, systems covered, payment milestones), and S17: acceptance packs,
 * the exports of a period (or of one modification) the hospital accepts; the 60 % milestone waits on an accepted one.
 * A milestone's state is derived from these facts (src/domain/evidence/contract.ts); only payments are stored.
 */
export class ContractAndAcceptance1764810000000 implements MigrationInterface {
  name = 'ContractAndAcceptance1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_contracts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL UNIQUE,
        title text NOT NULL,
        hospital text NOT NULL,
        vendor text NOT NULL,
        start_date date NOT NULL,
        months int NOT NULL CHECK (months BETWEEN 1 AND 60),
        amount numeric(14, 2) CHECK (amount IS NULL OR amount >= 0),
        currency text NOT NULL DEFAULT 'CNY',
        created_by text NOT NULL,
        updated_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE contract_systems (
        contract_id uuid NOT NULL REFERENCES service_contracts(id) ON DELETE CASCADE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        PRIMARY KEY (contract_id, system_id)
      )`);
    await q.query(`
      CREATE TABLE acceptance_packs (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        scope text NOT NULL CHECK (scope IN ('period', 'modification')),
        contract_id uuid REFERENCES service_contracts(id),
        modification_id uuid REFERENCES modifications(id),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('building', 'submitted', 'accepted', 'rejected', 'failed')),
        requested_by_id text NOT NULL,
        requested_by_name text NOT NULL,
        zip bytea,
        zip_sha256 char(64),
        pdf_sha256 char(64),
        xlsx_sha256 char(64),
        ledger_head_seq bigint,
        ledger_head_hash char(64),
        summary jsonb,
        error text,
        decided_by_id text,
        decided_by_name text,
        decided_at timestamptz,
        decision_note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        built_at timestamptz,
        CHECK (period_end > period_start),
        CHECK (scope <> 'modification' OR modification_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX acceptance_packs_contract ON acceptance_packs (contract_id, state)`);
    await q.query(`
      CREATE TABLE contract_milestones (
        contract_id uuid NOT NULL REFERENCES service_contracts(id) ON DELETE CASCADE,
        code text NOT NULL CHECK (code IN ('start', 'acceptance')),
        share_percent int NOT NULL CHECK (share_percent BETWEEN 0 AND 100),
        paid_at timestamptz,
        paid_by text,
        paid_note text,
        PRIMARY KEY (contract_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contract_milestones`);
    await q.query(`DROP TABLE acceptance_packs`);
    await q.query(`DROP TABLE contract_systems`);
    await q.query(`DROP TABLE service_contracts`);
  }
}
