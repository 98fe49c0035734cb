import { MigrationInterface, QueryRunner } from 'typeorm';

/** S17: acceptance packs are numbered AP-YYYYMMDD-NNNN per day of the contract's zone, like every other record. */
export class AcceptancePackNumbers1764820000000 implements MigrationInterface {
  name = 'AcceptancePackNumbers1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE acceptance_pack_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE acceptance_pack_counters`);
  }
}
