import { DataSource, EntityManager } from 'typeorm';

export interface OnDuty {
  userId: string;
  displayName: string;
  shiftId: string;
}

/** The engineer on duty at `at`: the default assignee of a new incident (S12: someone is dispatched at once). */
export async function engineerOnDuty(db: DataSource | EntityManager, at: number): Promise<OnDuty | null> {
  const [row] = await db.query(
    `SELECT s.id AS shift_id, u.id AS user_id, u.display_name
       FROM duty_shifts s JOIN users u ON u.id = s.user_id
      WHERE s.starts_at <= $1 AND s.ends_at > $1 AND u.active AND 'engineer' = ANY(u.roles)
      ORDER BY s.starts_at DESC, s.created_at DESC LIMIT 1`,
    [new Date(at)],
  );
  return row ? { userId: row.user_id, displayName: row.display_name, shiftId: row.shift_id } : null;
}
