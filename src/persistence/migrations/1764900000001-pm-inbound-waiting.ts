import { MigrationInterface, QueryRunner } from 'typeorm';

/** S15: how many changed items a polled platform still had beyond the last page, for the integration's backlog. */
export class PmInboundWaiting1764900000001 implements MigrationInterface {
  name = 'PmInboundWaiting1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pm_integrations ADD COLUMN inbound_waiting int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pm_integrations DROP COLUMN inbound_waiting`);
  }
}
