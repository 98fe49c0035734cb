import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordContent } from '../../domain/records/content';
import { PARTY_ZH, Party, RECORD_CORRECTORS, RecordStatus, SOURCE_ZH, STATE_ZH, confirm, correct, dispute, partyOf, recordActions } from '../../domain/records/record';
import { holdsAny } from '../../domain/roles';
import { formatInZone } from '../../domain/time';
import { appendEntry, ledgerHead, mapEntry, verifyLedger } from '../../persistence/records/ledger';
import { saveStatus, statusOf } from '../../persistence/records/record-store';
import { Principal } from '../auth/principal';
import { ApiError, badRequest, forbidden, notFound, unknownRef } from '../common/errors';
import { isUuid } from '../common/refs';
import { CLOCK, Clock } from '../common/tokens';
import { IncidentsService } from '../incidents/incidents.service';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { ConfirmRecordDto, CorrectRecordDto, DisputeRecordDto, ListRecordsQuery } from './records.dto';

const SOURCE_ROUTE = { incident: 'incidents', change: 'changes', modification: 'modifications', support_request: 'support-requests' } as const;
const TIMELINE = {
  incident: { table: 'incident_events', key: 'incident_id', type: 'type', note: 'note' },
  change: { table: 'change_events', key: 'change_id', type: 'action', note: 'comment' },
  modification: { table: 'modification_events', key: 'modification_id', type: 'type', note: 'note' },
  support_request: { table: 'support_request_events', key: 'support_request_id', type: 'type', note: 'note' },
} as const;

/** S14: maintenance records, their two-party confirmation and the ledger behind them. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly incidents: IncidentsService,
    private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async row(ref: string, lock?: { tx: import('typeorm').EntityManager }): Promise<Record<string, any>> {
    const where = isUuid(ref) ? 'r.id = $1::uuid' : 'r.number = upper($1)';
    const q = lock ? lock.tx : this.ds;
    const [row] = await q.query(
      `SELECT r.*, s.code AS system_code, s.display_name AS system_name FROM maintenance_records r JOIN business_systems s ON s.id = r.system_id WHERE ${where} ${lock ? 'FOR UPDATE OF r' : ''}`,
      [ref],
    );
    if (!row) throw notFound('RECORD_NOT_FOUND', `找不到维护记录 ${ref}`, `maintenance record ${ref} not found`);
    return row;
  }

  /** The caller's side when they may sign, else null (correctors and readers). */
  private sideOf(auth: Principal, asked?: Party): Party | null {
    try {
      return partyOf(auth.roles, asked);
    } catch {
      return null;
    }
  }

  map(row: Record<string, any>, offset: number, auth?: Principal) {
    const t = (ms: number | string | Date | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(typeof ms === 'number' ? ms : new Date(ms).getTime(), offset));
    const sig = (s: any) => (s ? { by: s.by, at: t(s.at), entrySeq: s.entrySeq, comment: s.comment ?? null } : null);
    const content: RecordContent = row.content;
    const status = statusOf(row);
    const actions = auth
      ? [
          ...(['hospital', 'vendor'] as Party[]).flatMap((p) => (this.sideOf(auth, p) ? recordActions(status, p).map((a) => `${a}:${p}`) : [])),
          ...(holdsAny(auth.roles, RECORD_CORRECTORS) ? recordActions(status, null) : []),
        ]
      : [];
    const route = SOURCE_ROUTE[row.source_kind as keyof typeof SOURCE_ROUTE];
    return {
      id: row.id,
      number: row.number,
      type: row.source_kind,
      typeLabel: SOURCE_ZH[row.source_kind as keyof typeof SOURCE_ZH],
      source: { kind: row.source_kind, id: row.source_id, number: row.source_number, link: `/${route}/${row.source_number}`, timelineLink: `/records/${row.number}#timeline` },
      system: { id: row.system_id, code: row.system_code, name: row.system_name },
      title: row.title,
      content: {
        problem: content.problem,
        process: content.process,
        cause: content.cause,
        result: content.result,
        performedBy: content.performedBy,
        requestedBy: content.requestedBy,
        category: content.category,
        priority: content.priority,
        tier: content.tier,
        sla: { breached: content.sla.breached, clocks: content.sla.clocks.map((c) => ({ ...c, deadline: t(c.deadline), metAt: t(c.metAt) })) },
        correctionNote: content.correctionNote ?? null,
      },
      version: row.version,
      state: row.state,
      stateLabel: STATE_ZH[row.state as keyof typeof STATE_ZH],
      hospital: sig(row.hospital_signature),
      vendor: sig(row.vendor_signature),
      dispute: row.dispute ? { party: row.dispute.party, partyLabel: PARTY_ZH[row.dispute.party as Party], by: row.dispute.by, reason: row.dispute.reason, at: t(row.dispute.at), entrySeq: row.dispute.entrySeq } : null,
      startedAt: t(row.started_at),
      completedAt: t(row.completed_at),
      slaBreached: row.sla_breached,
      headSeq: Number(row.head_seq),
      allowedActions: actions,
    };
  }

  async list(auth: Principal, q: ListRecordsQuery) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.systemId) {
      const system = await this.systems.find(q.systemId);
      if (!system) throw unknownRef('system', q.systemId, 'systemId');
      add('r.system_id = ?', system.id);
    }
    if (q.type) add('r.source_kind = ?', q.type);
    if (q.state) add('r.state = ?', q.state);
    if (q.source) add('r.source_number = upper(?)', q.source);
    if (q.from) add('r.completed_at >= ?', new Date(q.from));
    if (q.to) add('r.completed_at < ?', new Date(q.to));
    if (q.awaiting) where.push(`r.state = 'pending' AND r.${q.awaiting}_signature IS NULL`);
    if (q.confirmedBy) where.push(`r.${q.confirmedBy}_signature IS NOT NULL`);
    const pageSize = q.pageSize ?? 50;
    const pageNo = q.page ?? 1;
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM maintenance_records r ${filter}`, params);
    const rows = await this.ds.query(
      `SELECT r.*, s.code AS system_code, s.display_name AS system_name FROM maintenance_records r JOIN business_systems s ON s.id = r.system_id
       ${filter} ORDER BY r.completed_at DESC, r.number LIMIT ${pageSize} OFFSET ${(pageNo - 1) * pageSize}`,
      params,
    );
    const offset = await this.offset();
    return { items: rows.map((r: Record<string, any>) => this.map(r, offset, auth)), total, page: pageNo, pageSize };
  }

  async get(auth: Principal, ref: string) {
    const row = await this.row(ref);
    const offset = await this.offset();
    const entries = (await this.ds.query(`SELECT * FROM ledger_entries WHERE record_id = $1 ORDER BY seq`, [row.id])).map(mapEntry);
    const tl = TIMELINE[row.source_kind as keyof typeof TIMELINE];
    // Every source kind, support requests included (S6/S14), links to its full timeline.
    const timeline: Record<string, any>[] = await this.ds.query(`SELECT seq, ${tl.type} AS type, at, actor_name, ${tl.note} AS note FROM ${tl.table} WHERE ${tl.key} = $1 ORDER BY seq`, [row.source_id]);
    return {
      ...this.map(row, offset, auth),
      entries: entries.map((e: ReturnType<typeof mapEntry>) => ({ ...e, content: undefined, signedAt: formatInZone(e.signedAt, offset) })),
      timeline: timeline.map((t: Record<string, any>) => ({ seq: t.seq, type: t.type, at: formatInZone(new Date(t.at).getTime(), offset), actorName: t.actor_name, note: t.note })),
    };
  }

  async confirm(auth: Principal, ref: string, dto: ConfirmRecordDto) {
    const party = partyOf(auth.roles, dto.party);
    const id = await this.ds.transaction(async (tx) => {
      const row = await this.row(ref, { tx });
      const at = this.clock.now();
      const entry = await appendEntry(tx, {
        recordId: row.id,
        kind: 'confirmed',
        content: { party, version: row.version, comment: dto.comment ?? null },
        signer: { id: auth.userId, name: auth.displayName, party },
        signedAt: at,
      });
      // The domain rule decides; the entry rolls back with the transaction when it refuses.
      const next = confirm(statusOf(row), party, { by: { id: auth.userId, name: auth.displayName }, at, entrySeq: entry.seq, comment: dto.comment ?? null });
      await saveStatus(tx, row.id, next, entry.seq);
      return row.id as string;
    });
    return this.get(auth, id);
  }

  async dispute(auth: Principal, ref: string, dto: DisputeRecordDto) {
    const party = partyOf(auth.roles, dto.party);
    const before = await this.row(ref);
    const remedy = dto.remedy ?? (party === 'hospital' && before.source_kind === 'incident' ? 'reopen' : 'correct');
    if (remedy === 'reopen' && (party !== 'hospital' || before.source_kind !== 'incident')) {
      throw badRequest('REMEDY_NOT_AVAILABLE', 'remedy：只有医院方对故障记录的异议可以重开工作，其他情况请要求更正', 'remedy: only the hospital side reopens an incident; ask for a correction otherwise', { field: 'remedy' });
    }
    const id = await this.ds.transaction(async (tx) => {
      const row = await this.row(ref, { tx });
      const at = this.clock.now();
      const entry = await appendEntry(tx, {
        recordId: row.id,
        kind: 'disputed',
        content: { party, version: row.version, reason: dto.reason, remedy },
        signer: { id: auth.userId, name: auth.displayName, party },
        signedAt: at,
      });
      const next: RecordStatus = dispute(statusOf(row), party, { id: auth.userId, name: auth.displayName }, at, dto.reason, entry.seq);
      await saveStatus(tx, row.id, next, entry.seq);
      return row.id as string;
    });
    let reopened = false;
    let reopenError: string | null = null;
    if (remedy === 'reopen') {
      // The incident's own reopen Update (an existing command): its projection then supersedes this record, and the
      // next resolution brings a new one. If the incident cannot be reopened any more, the dispute stands and asks
      // for a correction instead.
      try {
        await this.incidents.command(auth, before.source_number, { action: 'reopen', reason: `维护记录 ${before.number} 有异议：${dto.reason}` } as never);
        reopened = true;
      } catch (e) {
        reopenError = e instanceof ApiError ? e.messages.zh + ' / ' + e.messages.en : e instanceof Error ? e.message : String(e);
      }
    }
    return { record: await this.get(auth, id), reopened, reopenError };
  }

  async correct(auth: Principal, ref: string, dto: CorrectRecordDto) {
    if (!holdsAny(auth.roles, RECORD_CORRECTORS)) throw forbidden('FORBIDDEN', '只有服务商团队可以更正维护记录', 'only the vendor team corrects records');
    const id = await this.ds.transaction(async (tx) => {
      const row = await this.row(ref, { tx });
      const next = correct(statusOf(row));
      const old: RecordContent = row.content;
      const content: RecordContent = {
        ...old,
        problem: dto.problem ?? old.problem,
        process: dto.process ?? old.process,
        cause: dto.cause ?? old.cause,
        result: dto.result ?? old.result,
        correctionNote: dto.note,
      };
      const entry = await appendEntry(tx, {
        recordId: row.id,
        kind: 'corrected',
        content: { version: next.version, record: content },
        correctsSeq: row.dispute?.entrySeq ?? Number(row.head_seq),
        signer: { id: auth.userId, name: auth.displayName, party: 'vendor' },
        signedAt: this.clock.now(),
      });
      await saveStatus(tx, row.id, next, entry.seq, content);
      return row.id as string;
    });
    return this.get(auth, id);
  }

  /** Recomputes the chain (S14) and names the first entry that does not match. */
  async verify() {
    const result = await verifyLedger(this.ds);
    let recordNumber: string | null = null;
    if (result.firstBad?.recordId) {
      const [r] = await this.ds.query(`SELECT number FROM maintenance_records WHERE id = $1`, [result.firstBad.recordId]);
      recordNumber = r?.number ?? null;
    }
    return {
      ...result,
      firstBad: result.firstBad ? { ...result.firstBad, recordNumber } : null,
      message: result.ok
        ? `台账完整：${result.entries} 条记录链校验通过 / ledger intact: ${result.entries} entries verified`
        : `台账第 ${result.firstBad!.seq} 条不符（${result.firstBad!.reason}） / ledger entry ${result.firstBad!.seq} does not match (${result.firstBad!.reason})`,
    };
  }

  head() {
    return ledgerHead(this.ds);
  }
}
