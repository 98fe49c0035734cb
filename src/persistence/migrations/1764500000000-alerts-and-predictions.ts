import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * P3: alerts from Alertmanager, Zabbix, generic senders and forecasts; the rules that map them to configuration items
 * and the table that gives their incidents a priority (both data, edited through the API); alert groups (one group,
 * one incident) and which incident or change each alert was attached to. P2: the current forecast of every series.
 */
export class AlertsAndPredictions1764500000000 implements MigrationInterface {
  name = 'AlertsAndPredictions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_mapping_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position int NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        sources text[] NOT NULL DEFAULT '{}',
        match jsonb NOT NULL DEFAULT '{}'::jsonb,
        kind text NOT NULL CHECK (kind IN ('label_ref', 'label_ip', 'label_name', 'item')),
        label text,
        item_type text,
        item_ref text,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'migration',
        CHECK ((kind = 'item') = (item_ref IS NOT NULL)),
        CHECK ((kind = 'item') = (label IS NULL))
      )`);
    // The rules every site starts with: an explicit label, then the host's IP, then Zabbix's host name, then a job
    // named after an item. Sites add their own in front or after.
    await q.query(`
      INSERT INTO alert_mapping_rules (position, sources, kind, label, item_type, note) VALUES
        (10, '{}', 'label_ref', 'wardline_ci', NULL, '标签 wardline_ci 写明配置项 / the wardline_ci label names the item'),
        (20, '{}', 'label_ip', 'instance', NULL, 'Prometheus instance 的 IP 对应服务器 ip 属性 / instance IP matches an item''s ip'),
        (30, '{zabbix}', 'label_ip', 'host_ip', NULL, 'Zabbix 主机 IP / the Zabbix host''s IP'),
        (40, '{zabbix}', 'label_name', 'host', NULL, 'Zabbix 主机名即配置项名称 / the Zabbix host name is the item''s name'),
        (50, '{}', 'label_name', 'job', NULL, 'job 名即配置项名称 / a job named after an item')`);

    await q.query(`
      CREATE TABLE alert_priority_map (
        severity text NOT NULL CHECK (severity IN ('critical', 'high', 'warning', 'info', 'unknown')),
        criticality text NOT NULL CHECK (criticality IN ('critical', 'high', 'medium', 'low', 'unknown')),
        priority text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'migration',
        PRIMARY KEY (severity, criticality)
      )`);
    await q.query(`
      INSERT INTO alert_priority_map (severity, criticality, priority) VALUES
        ('critical', 'critical', 'P1'), ('critical', 'high', 'P1'), ('critical', 'medium', 'P2'), ('critical', 'low', 'P3'), ('critical', 'unknown', 'P2'),
        ('high', 'critical', 'P1'), ('high', 'high', 'P2'), ('high', 'medium', 'P3'), ('high', 'low', 'P3'), ('high', 'unknown', 'P2'),
        ('warning', 'critical', 'P2'), ('warning', 'high', 'P3'), ('warning', 'medium', 'P4'), ('warning', 'low', 'P4'), ('warning', 'unknown', 'P3'),
        ('info', 'critical', 'P4'), ('info', 'high', 'P4'), ('info', 'medium', 'P4'), ('info', 'low', 'P4'), ('info', 'unknown', 'P4'),
        ('unknown', 'critical', 'P2'), ('unknown', 'high', 'P2'), ('unknown', 'medium', 'P3'), ('unknown', 'low', 'P3'), ('unknown', 'unknown', 'P2')`);

    // An alert that maps to no configuration item still opens an incident (P3: never vanishes), on this placeholder
    // system, for a dispatcher to triage: GET /incidents?systemId=SYS-00 is the triage queue. Inactive: not one of
    // the contract's 37 systems.
    await q.query(`
      INSERT INTO business_systems (seq, code, source_name, display_name, entry_kind, active)
      VALUES (0, 'SYS-00', '未识别告警（待分派）', '待分派告警 / unmapped alerts (triage)', 'system', false)`);

    // /metrics counts SLA warnings and breaches at every scrape: a partial index keeps that to those events.
    await q.query(`CREATE INDEX incident_events_sla ON incident_events (type) WHERE type IN ('sla_warning', 'sla_breached')`);

    // One group is one incident. The incident is referenced without a foreign key: its row may be written after the
    // group's (by the workflow's projection).
    await q.query(`
      CREATE TABLE alert_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_key text NOT NULL UNIQUE,
        source text NOT NULL,
        alertname text NOT NULL,
        item_id uuid REFERENCES cmdb_items(id) ON DELETE SET NULL,
        system_id uuid REFERENCES business_systems(id),
        mapped_by uuid,
        severity text NOT NULL,
        priority text,
        incident_id uuid,
        previous_incident_ids uuid[] NOT NULL DEFAULT '{}',
        firing int NOT NULL DEFAULT 0,
        all_resolved_at timestamptz,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alert_groups_incident ON alert_groups (incident_id) WHERE incident_id IS NOT NULL`);
    await q.query(`CREATE INDEX alert_groups_last_seen ON alert_groups (last_seen)`);
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id uuid NOT NULL REFERENCES alert_groups(id) ON DELETE CASCADE,
        source text NOT NULL,
        fingerprint text NOT NULL,
        alertname text NOT NULL,
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        severity text NOT NULL,
        raw_severity text,
        summary text NOT NULL,
        labels jsonb NOT NULL,
        annotations jsonb NOT NULL,
        item_id uuid REFERENCES cmdb_items(id) ON DELETE SET NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        receipts int NOT NULL DEFAULT 1,
        fires int NOT NULL DEFAULT 1,
        UNIQUE (group_id, fingerprint)
      )`);
    await q.query(`CREATE INDEX alerts_last_seen ON alerts (last_seen)`);
    // The alert list of an incident, or of a change whose maintenance window kept the alert from opening one.
    await q.query(`
      CREATE TABLE alert_attachments (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        incident_id uuid,
        change_id uuid REFERENCES changes(id),
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        receipts int NOT NULL DEFAULT 1,
        fires int NOT NULL DEFAULT 1,
        last_status text NOT NULL,
        CHECK ((incident_id IS NULL) <> (change_id IS NULL)),
        UNIQUE (alert_id, incident_id),
        UNIQUE (alert_id, change_id)
      )`);
    await q.query(`CREATE INDEX alert_attachments_incident ON alert_attachments (incident_id) WHERE incident_id IS NOT NULL`);
    await q.query(`CREATE INDEX alert_attachments_change ON alert_attachments (change_id) WHERE change_id IS NOT NULL`);

    // P2: the newest forecast of every series (one row per kind and label set), replaced on each run.
    await q.query(`
      CREATE TABLE predictions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        series_key text NOT NULL UNIQUE,
        kind text NOT NULL,
        labels jsonb NOT NULL,
        item_id uuid REFERENCES cmdb_items(id) ON DELETE SET NULL,
        system_id uuid REFERENCES business_systems(id),
        outcome text NOT NULL,
        exhaustion_at timestamptz,
        within_horizon boolean NOT NULL,
        within_horizon_since timestamptz,
        confidence double precision NOT NULL,
        forecast jsonb NOT NULL,
        query text NOT NULL,
        computed_at timestamptz NOT NULL,
        run_id uuid NOT NULL
      )`);
    await q.query(`CREATE INDEX predictions_item ON predictions (item_id)`);
    await q.query(`CREATE INDEX predictions_exhaustion ON predictions (exhaustion_at) WHERE within_horizon`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['predictions', 'alert_attachments', 'alerts', 'alert_groups', 'alert_priority_map', 'alert_mapping_rules']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX incident_events_sla`);
    await q.query(`DELETE FROM business_systems WHERE code = 'SYS-00'`);
  }
}
