import { DataSource } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Records are named in URLs by id or by their readable number or code (INC-…, CHG-…, MOD-…, SYS-11). */
export function isUuid(ref: string): boolean {
  return UUID.test(ref);
}

/** The WHERE condition that finds `ref` in parameter `$n`: by id when it is a UUID, else by the upper-cased `column`. */
export function refCondition(ref: string, n: number, column = 'number', idColumn = 'id'): string {
  return isUuid(ref) ? `${idColumn} = $${n}::uuid` : `${column} = upper($${n})`;
}

/** The row of `table` that `ref` names, or undefined. */
export async function findByRef<T = Record<string, any>>(ds: DataSource, table: 'incidents' | 'changes' | 'modifications', ref: string, columns = '*'): Promise<T | undefined> {
  const [row] = await ds.query(`SELECT ${columns} FROM ${table} WHERE ${refCondition(ref, 1)}`, [ref]);
  return row;
}
