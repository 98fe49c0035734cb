import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  MILESTONE_STATE_ZH,
  MILESTONE_ZH,
  MilestoneCode,
  acceptanceGaps,
  assertPayable,
  milestoneStatus,
  periodEndDate,
  timeLeft,
  validateContractTerms,
} from '../../domain/evidence/contract';
import { formatDayNumber, formatInZone, localDayNumber } from '../../domain/time';
import {
  ContractRow,
  acceptanceCounts,
  contractPeriod,
  currentContract,
  findContract,
  insertContract,
  listContracts,
  recordPayment,
  setContractSystems,
  updateContract,
} from '../../persistence/evidence/contract-store';
import { verifyLedger } from '../../persistence/records/ledger';
import { Principal } from '../auth/principal';
import { conflict, notFound, unknownRef } from '../common/errors';
import { CLOCK, Clock } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { CreateContractDto, RecordPaymentDto, UpdateContractDto } from './contracts.dto';

/** S18: the service contract, its milestones, and what acceptance still lacks (S17). */
@Injectable()
export class ContractsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async systemIds(refs: string[] | undefined): Promise<string[]> {
    if (refs === undefined) {
      const rows: { id: string }[] = await this.ds.query(`SELECT id FROM business_systems WHERE active ORDER BY seq`);
      return rows.map((r) => r.id);
    }
    const ids: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const s = await this.systems.find(ref);
      if (!s) throw unknownRef('system', ref, `systems[${i}]`);
      ids.push(s.id);
    }
    return [...new Set(ids)];
  }

  private async row(ref: string): Promise<ContractRow> {
    const c = ref === 'current' ? await currentContract(this.ds, formatDayNumber(localDayNumber(this.clock.now(), await this.offset()))) : await findContract(this.ds, ref);
    if (!c) throw notFound('CONTRACT_NOT_FOUND', ref === 'current' ? '尚未登记服务合同' : `没有服务合同 ${ref}`, ref === 'current' ? 'no service contract is recorded yet' : `no service contract ${ref}`, { field: 'ref' });
    return c;
  }

  /** The view: period, time left, milestones' states, and what acceptance lacks, all derived from facts now. */
  async view(c: ContractRow, auth?: Principal) {
    const offset = await this.offset();
    const now = this.clock.now();
    const left = timeLeft(c.startDate, c.months, now, offset);
    const period = contractPeriod(c, offset);
    const counts = await acceptanceCounts(this.ds, period.from, period.to, c.id);
    const ledger = await verifyLedger(this.ds);
    const lacks = acceptanceGaps({
      periodEnded: left.ended,
      monthsLeft: left.months + (left.days > 0 ? 1 : 0),
      recordsPending: counts.pending,
      recordsDisputed: counts.disputed,
      modificationsAwaitingAcceptance: counts.modificationsLive,
      ledgerOk: ledger.ok,
      acceptedPack: counts.acceptedPack,
    });
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, offset));
    const milestones = c.milestones.map((m) => {
      const s = milestoneStatus(m, c, now, offset);
      return {
        code: m.code,
        label: MILESTONE_ZH[m.code],
        sharePercent: m.sharePercent,
        amount: s.amount,
        state: s.state,
        stateLabel: MILESTONE_STATE_ZH[s.state],
        waitingFor: s.waitingFor ? `${s.waitingFor.zh} / ${s.waitingFor.en}` : null,
        paidAt: t(m.paidAt),
        acceptedPack: m.acceptedPack ? { ...m.acceptedPack, acceptedAt: t(m.acceptedPack.acceptedAt) } : null,
      };
    });
    const canWrite = !!auth && (auth.roles.includes('it_manager') || auth.roles.includes('admin'));
    const lastDay = formatDayNumber(localDayNumber(period.to - 1, offset));
    return {
      id: c.id,
      number: c.number,
      title: c.title,
      hospital: c.hospital,
      vendor: c.vendor,
      period: { startDate: c.startDate, endDate: c.endDate, lastDay, months: c.months },
      timeLeft: left,
      amount: c.amount,
      currency: c.currency,
      systemCount: c.systems.length,
      systems: c.systems,
      milestones,
      acceptance: { ready: lacks.length === 0, lacks, ledgerHead: ledger.head },
      allowedActions: canWrite ? ['update', ...milestones.filter((m) => m.state === 'due').map((m) => `pay:${m.code}`)] : [],
      updatedAt: t(c.updatedAt),
      updatedBy: c.updatedBy,
    };
  }

  async create(auth: Principal, dto: CreateContractDto) {
    const months = dto.months ?? 12;
    validateContractTerms({ startDate: dto.startDate, months, amount: dto.amount ?? null });
    const systemIds = await this.systemIds(dto.systems);
    if (await findContract(this.ds, dto.number)) throw conflict('CONTRACT_EXISTS', `服务合同 ${dto.number} 已登记`, `service contract ${dto.number} is already recorded`, { field: 'number' });
    const id = await this.ds.transaction((tx) =>
      insertContract(
        tx,
        { number: dto.number, title: dto.title, hospital: dto.hospital, vendor: dto.vendor, startDate: dto.startDate, months, amount: dto.amount ?? null, currency: dto.currency ?? 'CNY', systemIds },
        auth.displayName,
      ),
    );
    return this.view((await findContract(this.ds, id))!, auth);
  }

  async list(auth: Principal) {
    const out = [];
    for (const c of await listContracts(this.ds)) out.push(await this.view(c, auth));
    return out;
  }

  async get(auth: Principal, ref: string) {
    return this.view(await this.row(ref), auth);
  }

  async update(auth: Principal, ref: string, dto: UpdateContractDto) {
    const c = await this.row(ref);
    const startDate = dto.startDate ?? c.startDate;
    const months = dto.months ?? c.months;
    validateContractTerms({ startDate, months, amount: dto.amount ?? c.amount });
    // Terms that payments rest on do not move under a paid milestone.
    if ((dto.startDate !== undefined && dto.startDate !== c.startDate) || (dto.months !== undefined && dto.months !== c.months) || (dto.amount !== undefined && dto.amount !== c.amount)) {
      const paid = c.milestones.filter((m) => m.paidAt !== null);
      if (paid.length > 0) {
        throw conflict('CONTRACT_PAID', `已有付款记录（${paid.map((m) => MILESTONE_ZH[m.code]).join('、')}），服务期与金额不能再修改`, 'a milestone is paid: the period and the amount no longer change', {
          details: { paid: paid.map((m) => m.code), newEndDate: periodEndDate(startDate, months) },
        });
      }
    }
    const systemIds = dto.systems === undefined ? undefined : await this.systemIds(dto.systems);
    await this.ds.transaction(async (tx) => {
      await updateContract(tx, c.id, { title: dto.title, hospital: dto.hospital, vendor: dto.vendor, startDate: dto.startDate, months: dto.months, amount: dto.amount, currency: dto.currency }, auth.displayName);
      if (systemIds) await setContractSystems(tx, c.id, systemIds);
    });
    return this.view((await findContract(this.ds, c.id))!, auth);
  }

  /** Records a milestone's payment: only once it is due (the 60 % after an accepted acceptance pack). */
  async pay(auth: Principal, ref: string, code: MilestoneCode, dto: RecordPaymentDto) {
    const c = await this.row(ref);
    const offset = await this.offset();
    const now = this.clock.now();
    const m = c.milestones.find((x) => x.code === code)!;
    assertPayable(milestoneStatus(m, c, now, offset));
    const at = dto.paidAt ? Date.parse(dto.paidAt) : now;
    await this.ds.transaction((tx) => recordPayment(tx, c.id, code, at, auth.displayName, dto.note ?? null));
    return this.view((await findContract(this.ds, c.id))!, auth);
  }
}
