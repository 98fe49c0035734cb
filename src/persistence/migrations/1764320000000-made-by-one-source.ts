import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One source of truth for "made by" (S7, P1): a business system's vendor is its CMDB item's `vendor_id`. The
 * `vendor_systems` table that `/vendors` wrote could disagree with the CMDB (a system linked there showed no vendor
 * in the CMDB); it becomes a view over the CMDB, so every reader (escalation plans, `/vendors`) sees the same
 * answer. Every registered business system gets back a CMDB item if one was deleted, with its made-by filled in from
 * the old table where the CMDB had none; where both named a vendor, the CMDB's (the later, audited edit) is kept.
 */
export class MadeByOneSource1764320000000 implements MigrationInterface {
  name = 'MadeByOneSource1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO cmdb_items (type, name, display_name, criticality, business_system_id, attributes)
      SELECT 'business_system', s.code, s.display_name, 'medium', s.id, jsonb_build_object('entryKind', s.entry_kind)
        FROM business_systems s
       WHERE NOT EXISTS (SELECT 1 FROM cmdb_items i WHERE i.business_system_id = s.id)
      ON CONFLICT (type, name) DO UPDATE SET business_system_id = EXCLUDED.business_system_id WHERE cmdb_items.business_system_id IS NULL`);
    await q.query(`
      WITH chosen AS (SELECT DISTINCT ON (system_id) system_id, vendor_id FROM vendor_systems ORDER BY system_id, vendor_id),
      updated AS (
        UPDATE cmdb_items i SET vendor_id = chosen.vendor_id, updated_at = now()
          FROM chosen WHERE i.business_system_id = chosen.system_id AND i.vendor_id IS NULL
        RETURNING i.id, i.vendor_id)
      INSERT INTO cmdb_history (item_id, action, actor_name, before, after)
      SELECT id, 'update', 'migration', jsonb_build_object('vendorId', NULL), jsonb_build_object('vendorId', vendor_id) FROM updated`);
    await q.query(`DROP TABLE vendor_systems`);
    await q.query(`
      CREATE VIEW vendor_systems AS
      SELECT vendor_id, business_system_id AS system_id FROM cmdb_items
       WHERE business_system_id IS NOT NULL AND vendor_id IS NOT NULL`);
    await q.query(`CREATE INDEX cmdb_items_vendor ON cmdb_items (vendor_id) WHERE vendor_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cmdb_items_vendor`);
    await q.query(`DROP VIEW vendor_systems`);
    await q.query(`
      CREATE TABLE vendor_systems (
        vendor_id uuid NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        PRIMARY KEY (vendor_id, system_id)
      )`);
    await q.query(`CREATE INDEX vendor_systems_system ON vendor_systems (system_id)`);
    await q.query(`
      INSERT INTO vendor_systems (vendor_id, system_id)
      SELECT vendor_id, business_system_id FROM cmdb_items WHERE business_system_id IS NOT NULL AND vendor_id IS NOT NULL`);
  }
}
