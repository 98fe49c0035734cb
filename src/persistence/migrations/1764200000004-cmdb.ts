import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CMDB (P1): configuration items, typed relations between them and the history of both. Item types and their
 * attribute schemas are code (src/domain/cmdb.ts), so `type` is text checked by the API, not a table.
 * "made_by" and "owned_by" are columns (vendor_id, owner_department), not relations: each item has at most one.
 * Every seeded business system becomes a `business_system` item (name = its code), linked by business_system_id.
 */
export class Cmdb1764200000004 implements MigrationInterface {
  name = 'Cmdb1764200000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cmdb_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        name text NOT NULL,
        display_name text NOT NULL,
        owner_department text,
        criticality text NOT NULL DEFAULT 'medium' CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
        lifecycle_status text NOT NULL DEFAULT 'active' CHECK (lifecycle_status IN ('planned', 'active', 'maintenance', 'retired')),
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        business_system_id uuid UNIQUE REFERENCES business_systems(id),
        vendor_id uuid REFERENCES vendors(id),
        revenue_per_hour numeric(14, 2) CHECK (revenue_per_hour >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (type, name)
      )`);
    await q.query(`CREATE INDEX cmdb_items_status ON cmdb_items (lifecycle_status)`);
    await q.query(`CREATE INDEX cmdb_items_attributes ON cmdb_items USING gin (attributes jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE cmdb_relations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        source_id uuid NOT NULL REFERENCES cmdb_items(id) ON DELETE CASCADE,
        target_id uuid NOT NULL REFERENCES cmdb_items(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (type, source_id, target_id),
        CHECK (source_id <> target_id)
      )`);
    // Impact walks target → source, dependencies source → target: one index each way.
    await q.query(`CREATE INDEX cmdb_relations_target ON cmdb_relations (target_id, type, source_id)`);
    await q.query(`CREATE INDEX cmdb_relations_source ON cmdb_relations (source_id, type, target_id)`);
    // No foreign keys: history outlives what it describes.
    await q.query(`
      CREATE TABLE cmdb_history (
        id bigserial PRIMARY KEY,
        item_id uuid,
        relation_id uuid,
        action text NOT NULL,
        actor_id uuid,
        actor_name text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        before jsonb,
        after jsonb,
        CHECK (item_id IS NOT NULL OR relation_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX cmdb_history_item ON cmdb_history (item_id, id) WHERE item_id IS NOT NULL`);
    await q.query(`CREATE INDEX cmdb_history_relation_ends ON cmdb_history USING gin ((coalesce(after, before)) jsonb_path_ops) WHERE relation_id IS NOT NULL`);
    await q.query(`
      INSERT INTO cmdb_items (type, name, display_name, criticality, business_system_id, vendor_id, attributes)
      SELECT 'business_system', s.code, s.display_name, 'medium', s.id,
             (SELECT vs.vendor_id FROM vendor_systems vs WHERE vs.system_id = s.id ORDER BY vs.vendor_id LIMIT 1),
             jsonb_build_object('entryKind', s.entry_kind)
        FROM business_systems s ORDER BY s.seq`);
    await q.query(`
      INSERT INTO cmdb_history (item_id, action, actor_name, after)
      SELECT id, 'create', 'migration', jsonb_build_object('type', type, 'name', name, 'displayName', display_name) FROM cmdb_items`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cmdb_history`);
    await q.query(`DROP TABLE cmdb_relations`);
    await q.query(`DROP TABLE cmdb_items`);
  }
}
