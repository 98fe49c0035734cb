import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9: a vendor contact no channel reaches gets an `undeliverable` row instead of an unread in-app copy marked
 * `sent`; an automatic escalation keeps the repair share it passed, so its reason is rendered in the reader's
 * language from a code and a number, not stored as English text.
 */
export class UndeliverableAndEscalationShare1764340000001 implements MigrationInterface {
  name = 'UndeliverableAndEscalationShare1764340000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_status_check`);
    await q.query(`
      ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_status_check
        CHECK (status IN ('pending', 'sending', 'queued', 'sent', 'failed', 'unconfirmed', 'suppressed', 'undeliverable'))`);
    await q.query(`ALTER TABLE escalations ADD COLUMN share real`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations DROP COLUMN share`);
    await q.query(`UPDATE notification_deliveries SET status = 'failed' WHERE status = 'undeliverable'`);
    await q.query(`ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_status_check`);
    await q.query(`
      ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_status_check
        CHECK (status IN ('pending', 'sending', 'queued', 'sent', 'failed', 'unconfirmed', 'suppressed'))`);
  }
}
