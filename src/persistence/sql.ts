import { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's PostgreSQL driver answers an UPDATE or DELETE with `[rows, affectedCount]` and everything else
 * with the rows; this gives the rows of an `UPDATE … RETURNING` either way.
 */
export async function updateReturning<T = Record<string, any>>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
