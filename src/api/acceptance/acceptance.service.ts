import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PACK_DECIDERS, PACK_STATE_ZH, PackState } from '../../domain/evidence/acceptance';
import { startOfLocalDate } from '../../domain/evidence/contract';
import { holdsAny } from '../../domain/roles';
import { DAY_MS, formatDayNumber, formatInZone, localDayNumber, parseIsoDate } from '../../domain/time';
import { PackRow, findPack, insertPack, listPacks, markPackFailed, packZip } from '../../persistence/evidence/acceptance-store';
import { contractPeriod, currentContract, findContract } from '../../persistence/evidence/contract-store';
import { findModification } from '../../persistence/evidence/evidence-queries';
import { allocateNumber } from '../../persistence/numbering';
import { ACCEPTANCE_PACK_WORKFLOW_TYPE, acceptancePackDecisionUpdate, acceptancePackWorkflowId } from '../../shared/evidence-messages';
import { Principal } from '../auth/principal';
import { badRequest, conflict, notFound, unknownRef, unprocessable } from '../common/errors';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { CreatePackDto, PackDecisionDto } from './acceptance.dto';

/** S17: acceptance packs — built by their workflow, downloaded as one zip, accepted or rejected by the IT manager. */
@Injectable()
export class AcceptanceService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async view(p: PackRow, auth?: Principal) {
    const offset = await this.offset();
    const t = (x: number | null) => (x === null ? null : formatInZone(x, offset));
    const contract = p.contractId ? await findContract(this.ds, p.contractId) : null;
    const modification = p.modificationId ? await findModification(this.ds, p.modificationId) : null;
    const state = p.state as PackState;
    return {
      id: p.id,
      number: p.number,
      scope: p.scope,
      state,
      stateLabel: PACK_STATE_ZH[state],
      contract: contract?.number ?? null,
      modification: modification?.number ?? null,
      period: { from: formatDayNumber(localDayNumber(p.periodStart, offset)), to: formatDayNumber(localDayNumber(p.periodEnd - 1, offset)) },
      requestedBy: p.requestedBy,
      zip: p.zipSha256 ? { sha256: p.zipSha256, download: `/acceptance-packs/${p.number}/zip` } : null,
      pdfSha256: p.pdfSha256,
      xlsxSha256: p.xlsxSha256,
      ledgerHead: p.ledgerHead,
      summary: p.summary,
      error: p.error,
      decision: p.decision ? { ...p.decision, at: t(p.decision.at) } : null,
      allowedActions: state === 'submitted' && auth && holdsAny(auth.roles, PACK_DECIDERS) ? ['accept', 'reject'] : [],
      createdAt: t(p.createdAt),
      builtAt: t(p.builtAt),
    };
  }

  private async row(ref: string): Promise<PackRow> {
    const p = await findPack(this.ds, ref);
    if (!p) throw notFound('NOT_FOUND', `没有验收资料包 ${ref}`, `no acceptance pack ${ref}`, { field: 'ref' });
    return p;
  }

  private async scopeOf(dto: CreatePackDto, offset: number, now: number) {
    if (dto.scope === 'modification') {
      if (!dto.modification) throw badRequest('VALIDATION_FAILED', 'modification：按改造出包时必填', 'modification: required when scope is modification', { field: 'modification' });
      const m = await findModification(this.ds, dto.modification);
      if (!m) throw unknownRef('modification', dto.modification, 'modification');
      if (m.liveAt === null) throw conflict('NOT_DELIVERED', `改造需求 ${m.number} 尚未交付上线，不能出验收资料包`, `modification ${m.number} is not live yet: nothing to accept`, { field: 'modification' });
      // S17: a modification is put up for acceptance 7 working days after go-live; the modification workflow computed when.
      if (m.acceptanceEligibleAt === null || now < m.acceptanceEligibleAt) {
        const when = m.acceptanceEligibleAt === null ? '—' : formatInZone(m.acceptanceEligibleAt, offset);
        throw conflict('NOT_ELIGIBLE', `改造需求 ${m.number} 须上线满 7 个工作日后方可验收（${when} 起）`, `modification ${m.number} may be put up for acceptance only 7 working days after go-live (from ${when})`, {
          field: 'modification',
          details: { acceptanceEligibleAt: m.acceptanceEligibleAt === null ? null : formatInZone(m.acceptanceEligibleAt, offset) },
        });
      }
      return { contractId: null, modificationId: m.id, periodStart: m.submittedAt, periodEnd: m.liveAt + 1 };
    }
    if ((dto.from === undefined) !== (dto.to === undefined)) throw badRequest('VALIDATION_FAILED', 'from 与 to 须同时给出', 'from and to go together', { field: dto.from === undefined ? 'from' : 'to' });
    const contract = dto.contract ? await findContract(this.ds, dto.contract) : await currentContract(this.ds, formatDayNumber(localDayNumber(now, offset)));
    if (dto.contract && !contract) throw unprocessable('INVALID_INPUT', `没有服务合同 ${dto.contract}`, `no service contract ${dto.contract}`, { field: 'contract' });
    if (dto.from !== undefined && dto.to !== undefined) {
      for (const f of ['from', 'to'] as const) {
        try {
          parseIsoDate(dto[f]!, f);
        } catch {
          throw badRequest('VALIDATION_FAILED', `${f} 不是有效日期`, `${f} is not a calendar date`, { field: f });
        }
      }
      const periodStart = startOfLocalDate(dto.from, offset);
      const periodEnd = startOfLocalDate(dto.to, offset) + DAY_MS;
      if (periodEnd <= periodStart) throw badRequest('VALIDATION_FAILED', 'to 不能早于 from', 'to must not be before from', { field: 'to' });
      const whole = contract ? contractPeriod(contract, offset) : null;
      // Only a pack of the contract's whole period is what the 60 % milestone waits on.
      const covers = whole !== null && whole.from === periodStart && whole.to === periodEnd;
      return { contractId: covers ? contract!.id : null, modificationId: null, periodStart, periodEnd };
    }
    if (!contract) throw unprocessable('NO_CONTRACT', '尚未登记服务合同：请先登记合同，或给出 from 与 to', 'no service contract is recorded: record one, or give from and to', { field: 'contract' });
    const whole = contractPeriod(contract, offset);
    return { contractId: contract.id, modificationId: null, periodStart: whole.from, periodEnd: whole.to };
  }

  async create(auth: Principal, dto: CreatePackDto) {
    const offset = await this.offset();
    const now = this.clock.now();
    const scope = await this.scopeOf(dto, offset, now);
    const number = await allocateNumber(this.ds, 'AP', now, offset);
    const id = randomUUID();
    const workflowId = acceptancePackWorkflowId(number);
    await insertPack(this.ds, { id, number, workflowId, scope: dto.scope, ...scope, requestedBy: { id: auth.userId, name: auth.displayName } });
    try {
      await this.temporal.workflow.start(ACCEPTANCE_PACK_WORKFLOW_TYPE, { workflowId, taskQueue: this.config.taskQueue, args: [{ packId: id, number }] });
    } catch (err) {
      await markPackFailed(this.ds, id, `the workflow did not start: ${(err as Error).message}`);
      throw err;
    }
    return this.view((await findPack(this.ds, id))!, auth);
  }

  async list(auth: Principal) {
    const out = [];
    for (const p of await listPacks(this.ds)) out.push(await this.view(p, auth));
    return out;
  }

  async get(auth: Principal, ref: string) {
    return this.view(await this.row(ref), auth);
  }

  async zip(ref: string): Promise<{ name: string; data: Buffer }> {
    const p = await this.row(ref);
    const data = p.zipSha256 ? await packZip(this.ds, p.id) : null;
    if (!data) throw conflict('NOT_BUILT', `验收资料包 ${p.number} 尚未生成（${PACK_STATE_ZH[p.state as PackState]}）`, `acceptance pack ${p.number} is not built (${p.state})`, { details: { state: p.state } });
    return { name: `${p.number}.zip`, data };
  }

  async decide(auth: Principal, ref: string, decision: 'accept' | 'reject', dto: PackDecisionDto) {
    const p = await this.row(ref);
    // A decided, failed or still-building pack has nothing to decide; its finished workflow would answer "not found".
    if (p.state !== 'submitted') {
      const state = p.state as PackState;
      throw conflict('ILLEGAL_TRANSITION', `验收资料包当前为「${PACK_STATE_ZH[state]}」，不能${decision === 'accept' ? '验收' : '退回'}`, `a ${state} acceptance pack cannot be ${decision}ed`, {
        details: { state, allowedActions: [] },
      });
    }
    await this.temporal.workflow
      .getHandle(p.workflowId)
      .executeUpdate(acceptancePackDecisionUpdate, { args: [{ decision, note: dto.note ?? null, actor: { id: auth.userId, name: auth.displayName, roles: [...auth.roles] } }] });
    return this.view((await findPack(this.ds, p.id))!, auth);
  }
}
