import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** TypeORM mappings of the tables the migrations create; the schema itself is owned by the migrations. */

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') username!: string;
  @Column('text', { name: 'display_name' }) displayName!: string;
  @Column('text', { array: true }) roles!: string[];
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('boolean') active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** Issue 16: 'local' (argon2id password here) or 'directory' (LDAP/AD bind; roles from the group mapping). */
  @Column('text', { name: 'auth_source', default: 'local' }) authSource!: 'local' | 'directory';
  @Column('text', { name: 'password_hash', nullable: true, select: false }) passwordHash!: string | null;
  @Column('timestamptz', { name: 'last_sign_in_at', nullable: true }) lastSignInAt!: Date | null;
}

@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') name!: string;
  @Column('char', { name: 'token_hash', length: 64 }) tokenHash!: string;
  @Column('text', { name: 'token_prefix' }) tokenPrefix!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

@Entity('business_systems')
export class BusinessSystemEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('int') seq!: number;
  @Column('text') code!: string;
  @Column('text', { name: 'source_name' }) sourceName!: string;
  @Column('text', { name: 'display_name' }) displayName!: string;
  @Column('text', { name: 'entry_kind' }) entryKind!: string;
  @Column('text', { name: 'vendor_name', nullable: true }) vendorName!: string | null;
  @Column('boolean') active!: boolean;
}

@Entity('duty_shifts')
export class DutyShiftEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('timestamptz', { name: 'starts_at' }) startsAt!: Date;
  @Column('timestamptz', { name: 'ends_at' }) endsAt!: Date;
  @Column('text', { nullable: true }) note!: string | null;
}

@Entity('incidents')
export class IncidentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') number!: string;
  @Column('text', { name: 'workflow_id' }) workflowId!: string;
  @Column('uuid', { name: 'system_id' }) systemId!: string;
  @Column('text') title!: string;
  @Column('text') description!: string;
  @Column('text', { name: 'reporter_name' }) reporterName!: string;
  @Column('text', { name: 'reporter_department' }) reporterDepartment!: string;
  @Column('text', { name: 'reporter_phone', nullable: true }) reporterPhone!: string | null;
  @Column('text') priority!: string;
  @Column('text') channel!: string;
  @Column('text') state!: string;
  @Column('text') tier!: string;
  @Column('timestamptz', { name: 'reported_at' }) reportedAt!: Date;
  @Column('text', { name: 'opened_by_id' }) openedById!: string;
  @Column('text', { name: 'opened_by_name' }) openedByName!: string;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId!: string | null;
  @Column('text', { name: 'assignee_name', nullable: true }) assigneeName!: string | null;
  @Column('timestamptz', { name: 'respond_due', nullable: true }) respondDue!: Date | null;
  @Column('timestamptz', { name: 'on_site_due', nullable: true }) onSiteDue!: Date | null;
  @Column('timestamptz', { name: 'repair_due', nullable: true }) repairDue!: Date | null;
  @Column('timestamptz', { name: 'acknowledged_at', nullable: true }) acknowledgedAt!: Date | null;
  @Column('timestamptz', { name: 'on_site_at', nullable: true }) onSiteAt!: Date | null;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  @Column('timestamptz', { name: 'confirmed_at', nullable: true }) confirmedAt!: Date | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('timestamptz', { name: 'cancelled_at', nullable: true }) cancelledAt!: Date | null;
  @Column('text', { name: 'cancel_reason', nullable: true }) cancelReason!: string | null;
  @Column('jsonb', { nullable: true }) resolution!: Record<string, unknown> | null;
  @Column('boolean') breached!: boolean;
  @Column('text', { name: 'breached_clocks', array: true }) breachedClocks!: string[];
  /** S10: a deadline rests on a year whose calendar is the statutory holidays only (no official 调休 yet). */
  @Column('boolean', { name: 'calendar_provisional', default: false }) calendarProvisional!: boolean;
  @Column('jsonb') clocks!: Record<string, unknown>;
  @Column('int', { name: 'policy_version' }) policyVersion!: number;
  @Column('int', { name: 'projected_seq' }) projectedSeq!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('incident_events')
export class IncidentEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'incident_id' }) incidentId!: string;
  @Column('int') seq!: number;
  @Column('text') type!: string;
  @Column('text', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text', { name: 'actor_name', nullable: true }) actorName!: string | null;
  @Column('timestamptz') at!: Date;
  @Column('text', { name: 'from_state', nullable: true }) fromState!: string | null;
  @Column('text', { name: 'to_state' }) toState!: string;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('jsonb') data!: Record<string, unknown>;
}

@Entity('notifications')
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey!: string;
  @Column('uuid', { name: 'incident_id', nullable: true }) incidentId!: string | null;
  @Column('text') event!: string;
  @Column('uuid', { name: 'recipient_id', nullable: true }) recipientId!: string | null;
  @Column('text', { name: 'recipient_role', nullable: true }) recipientRole!: string | null;
  @Column('text') channel!: string;
  @Column('text') locale!: string;
  @Column('text') title!: string;
  @Column('text') body!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt!: Date | null;
}

@Entity('calendar_years')
export class CalendarYearEntity {
  @PrimaryColumn('int') year!: number;
  @Column('jsonb') holidays!: string[];
  @Column('jsonb') workdays!: string[];
  @Column('text') source!: string;
  @Column('text', { name: 'loaded_by' }) loadedBy!: string;
  @CreateDateColumn({ name: 'loaded_at', type: 'timestamptz' }) loadedAt!: Date;
}

@Entity('sla_policies')
export class SlaPolicyEntity {
  @PrimaryColumn('int') version!: number;
  @Column('jsonb') body!: Record<string, unknown>;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const ENTITIES = [
  UserEntity,
  ApiTokenEntity,
  BusinessSystemEntity,
  DutyShiftEntity,
  IncidentEntity,
  IncidentEventEntity,
  NotificationEntity,
  CalendarYearEntity,
  SlaPolicyEntity,
];
