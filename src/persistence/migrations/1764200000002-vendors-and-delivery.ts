import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S7: original vendors with contacts by escalation level and the systems each made; people's channels and
 * quiet hours; the delivery log of every outbound message; vendor escalations and their one-time links.
 */
export class VendorsAndDelivery1764200000002 implements MigrationInterface {
  name = 'VendorsAndDelivery1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vendors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE vendor_systems (
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        PRIMARY KEY (vendor_id, system_id)
      )`);
    await q.query(`CREATE INDEX vendor_systems_system ON vendor_systems (system_id)`);
    await q.query(`
      CREATE TABLE vendor_contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        user_id uuid REFERENCES users(id),
        name text NOT NULL,
        role text NOT NULL,
        level int NOT NULL CHECK (level BETWEEN 1 AND 3),
        phone text,
        email text,
        wecom_robot_key text,
        dingtalk_token text,
        dingtalk_secret text,
        webhook_url text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_channels (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        channels text[] NOT NULL DEFAULT '{in_app}',
        wecom_robot_key text,
        dingtalk_token text,
        dingtalk_secret text,
        webhook_url text,
        quiet_start text,
        quiet_end text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notification_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE,
        process_id text NOT NULL,
        incident_id uuid REFERENCES incidents(id),
        event text NOT NULL,
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('user', 'contact', 'role')),
        recipient_id text NOT NULL,
        recipient_label text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'queued', 'sent', 'failed', 'unconfirmed', 'suppressed')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        provider_response text,
        title text NOT NULL,
        body text NOT NULL,
        fallback_of uuid REFERENCES notification_deliveries(id),
        digest_id uuid REFERENCES notification_deliveries(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX notification_deliveries_incident ON notification_deliveries (incident_id)`);
    await q.query(`CREATE INDEX notification_deliveries_status ON notification_deliveries (status, channel)`);
    await q.query(`
      CREATE TABLE escalations (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents(id),
        workflow_id text NOT NULL UNIQUE,
        vendor_id uuid REFERENCES vendors(id),
        trigger text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL,
        level int NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        promised_on_site_at timestamptz,
        arrived_at timestamptz,
        ended_at timestamptz,
        projected_seq int NOT NULL DEFAULT 0,
        history jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`CREATE INDEX escalations_incident ON escalations (incident_id)`);
    await q.query(`
      CREATE TABLE escalation_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        escalation_id uuid NOT NULL REFERENCES escalations(id),
        contact_id uuid NOT NULL REFERENCES vendor_contacts(id),
        level int NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (escalation_id, contact_id, level)
      )`);
    // Secrets Wardline makes for itself (the key that signs one-time acknowledgement links), shared by API and worker.
    await q.query(`CREATE TABLE app_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    // The two vendors the seed names, linked to the systems they made.
    for (const [name, code] of [
      ['米健', 'SYS-01'],
      ['麦迪斯顿', 'SYS-02'],
    ]) {
      await q.query(`INSERT INTO vendors (name) VALUES ($1)`, [name]);
      await q.query(
        `INSERT INTO vendor_systems (vendor_id, system_id) SELECT v.id, s.id FROM vendors v, business_systems s WHERE v.name = $1 AND s.code = $2`,
        [name, code],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['app_secrets', 'escalation_links', 'escalations', 'notification_deliveries', 'user_channels', 'vendor_contacts', 'vendor_systems', 'vendors']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
