import { DataSource } from 'typeorm';

export interface InAppNotification {
  idempotencyKey: string;
  incidentId: string | null;
  event: string;
  recipientId: string | null;
  recipientRole: string | null;
  locale: string;
  title: string;
  body: string;
}

/** The in-app channel: one row per (process, event, recipient); a retried activity inserts nothing new. */
export async function recordInAppNotification(ds: DataSource, n: InAppNotification): Promise<boolean> {
  const rows: unknown[] = await ds.query(
    `INSERT INTO notifications (idempotency_key, incident_id, event, recipient_id, recipient_role, channel, locale, title, body)
     VALUES ($1,$2,$3,$4,$5,'in_app',$6,$7,$8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [n.idempotencyKey, n.incidentId, n.event, n.recipientId, n.recipientRole, n.locale, n.title, n.body],
  );
  return rows.length > 0;
}
