import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PdfRenderer, ReportHtmlRenderer, addKeyValueSheet, addTableSheet, buildZip, createWorkbook, formatPercent, workbookToBuffer } from '../../adapters/reports';
import { ComplianceRow, serviceStats } from '../../domain/evidence/service-stats';
import { SOURCE_ZH, STATE_ZH } from '../../domain/records/record';
import { formatInZone } from '../../domain/time';
import {
  InspectionReportLine,
  ModificationLine,
  RecordLine,
  findModification,
  incidentFacts,
  periodInspectionReports,
  periodModifications,
  periodRecords,
  periodSupportRequests,
  sourceRecords,
} from '../../persistence/evidence/evidence-queries';
import { verifyLedger } from '../../persistence/records/ledger';
import { CLOCK_LABELS, MODIFICATION_STATE_LABELS, TIER_LABELS } from '../../shared/labels';

/**
 * The acceptance pack (S17): for a period (or one modification) the records both parties confirmed, the SLA
 * compliance table with every breach and its evidence, the modifications with their go-live and acceptance dates, the
 * inspection reports of the period, and the ledger's head hash — a zh-CN PDF summary and an XLSX of the detail in
 * one zip. Nothing in it depends on when or by whom it was built: every date written is the period's end, the rows
 * come in a fixed order, and the pack's own number is not inside it. So the same data gives the same bytes, and the
 * hospital can check an archived pack years later by its SHA-256.
 */
export interface PackScope {
  scope: 'period' | 'modification';
  periodStart: number;
  /** Exclusive. */
  periodEnd: number;
  contract: { number: string; title: string; hospital: string; vendor: string } | null;
  modificationId: string | null;
}

const MOD_TYPE_ZH: Record<string, string> = { improvement: '功能改进', adaptation: '适配调整', interface: '接口对接' };

export interface AcceptancePackData {
  title: string;
  scopeLabel: string;
  contract: PackScope['contract'];
  modification: ModificationLine | null;
  periodStart: number;
  periodLast: number;
  generatedAt: number;
  ledger: { ok: boolean; entries: number; headSeq: number | null; headHash: string | null };
  records: { confirmed: RecordLine[]; pending: number; disputed: number; superseded: number; total: number };
  recordsByType: { label: string; confirmed: number; total: number }[];
  incidents: number;
  compliance: (ComplianceRow & { tierLabel: string; clockLabel: string; rateText: string })[];
  breaches: (ReturnType<typeof serviceStats>['breaches'][number] & { clockLabel: string; tierLabel: string })[];
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  modifications: (ModificationLine & { typeLabel: string; stateLabel: string })[];
  /** S11, S6: the other contract clocks — modifications' 7-day delivery, support requests' working days. */
  otherClocks: { label: string; judged: number; met: number; breached: number; rateText: string }[];
  otherBreaches: { number: string; kind: string; systemCode: string; title: string; deadline: number | null; doneAt: number | null; overdueMinutes: number }[];
  inspections: Omit<InspectionReportLine, 'pdf'>[];
}

export async function collectAcceptancePack(ds: DataSource, s: PackScope): Promise<{ data: AcceptancePackData; inspectionPdfs: { name: string; data: Buffer }[] }> {
  const modification = s.modificationId ? await findModification(ds, s.modificationId) : null;
  const records = modification ? await sourceRecords(ds, 'modification', modification.id) : await periodRecords(ds, s.periodStart, s.periodEnd);
  const facts = modification ? [] : await incidentFacts(ds, s.periodStart, s.periodEnd);
  const stats = serviceStats(facts, s.periodEnd);
  const mods = modification ? [modification] : await periodModifications(ds, s.periodStart, s.periodEnd);
  const inspections = modification ? [] : await periodInspectionReports(ds, s.periodStart, s.periodEnd);
  const support = modification ? [] : await periodSupportRequests(ds, s.periodStart, s.periodEnd);
  const ledger = await verifyLedger(ds);
  const overdue = (deadline: number | null, done: number | null) => (deadline === null ? 0 : Math.max(0, Math.round(((done ?? s.periodEnd) - deadline) / 60_000)));
  const clockRow = (label: string, judged: number, breached: number) => ({ label, judged, met: judged - breached, breached, rateText: formatPercent(judged === 0 ? null : (judged - breached) / judged) });
  const modsJudged = mods.filter((m) => m.liveAt !== null || m.deliveryBreached);
  const otherClocks = [
    clockRow('修改调整交付（7 天） / modification delivery (7 days)', modsJudged.length, modsJudged.filter((m) => m.deliveryBreached).length),
    ...(modification ? [] : [clockRow('服务请求（工作日） / support requests (working days)', support.filter((r) => r.fulfilledAt !== null || r.breached).length, support.filter((r) => r.breached).length)]),
  ];
  const otherBreaches = [
    ...mods.filter((m) => m.deliveryBreached).map((m) => ({ number: m.number, kind: '修改调整交付', systemCode: m.systemCode, title: m.title, deadline: m.deliveryDue, doneAt: m.liveAt, overdueMinutes: overdue(m.deliveryDue, m.liveAt) })),
    ...support.filter((r) => r.breached).map((r) => ({ number: r.number, kind: '服务请求', systemCode: r.systemCode, title: r.title, deadline: r.dueAt, doneAt: r.fulfilledAt, overdueMinutes: overdue(r.dueAt, r.fulfilledAt) })),
  ];
  const confirmed = records.filter((r) => r.state === 'confirmed');
  const count = (state: string) => records.filter((r) => r.state === state).length;
  const types = [...new Set(records.map((r) => r.type))].sort();
  const title = modification ? `改造验收资料包 ${modification.number}` : `维护服务验收资料包`;
  const data: AcceptancePackData = {
    title,
    scopeLabel: modification ? `改造需求 ${modification.number} ${modification.title}` : '服务期 / service period',
    contract: s.contract,
    modification,
    periodStart: s.periodStart,
    periodLast: s.periodEnd - 1,
    generatedAt: s.periodEnd,
    ledger: { ok: ledger.ok, entries: ledger.entries, headSeq: ledger.head?.seq ?? null, headHash: ledger.head?.hash ?? null },
    records: { confirmed, pending: count('pending'), disputed: count('disputed'), superseded: count('superseded'), total: records.length },
    recordsByType: types.map((t) => ({ label: SOURCE_ZH[t as keyof typeof SOURCE_ZH] ?? t, confirmed: confirmed.filter((r) => r.type === t).length, total: records.filter((r) => r.type === t).length })),
    incidents: stats.incidents,
    compliance: stats.compliance.map((c) => ({ ...c, tierLabel: TIER_LABELS['zh-CN'][c.tier], clockLabel: CLOCK_LABELS['zh-CN'][c.clock], rateText: formatPercent(c.rate) })),
    breaches: stats.breaches.map((b) => ({ ...b, clockLabel: CLOCK_LABELS['zh-CN'][b.clock], tierLabel: TIER_LABELS['zh-CN'][b.tier] })),
    mttaMinutes: stats.mttaMinutes,
    mttrMinutes: stats.mttrMinutes,
    otherClocks,
    otherBreaches,
    modifications: mods.map((m) => ({ ...m, typeLabel: MOD_TYPE_ZH[m.type] ?? m.type, stateLabel: MODIFICATION_STATE_LABELS['zh-CN'][m.state] ?? m.state })),
    inspections: inspections.map(({ pdf: _pdf, ...rest }) => rest),
  };
  return { data, inspectionPdfs: inspections.map((i) => ({ name: `inspections/${i.inspectionNumber}-v${i.version}.pdf`, data: i.pdf })) };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function renderAcceptancePackXlsx(d: AcceptancePackData, offset: number): Promise<Buffer> {
  const when = (x: number | null) => (x === null ? '—' : formatInZone(x, offset).replace('T', ' ').slice(0, 16));
  const day = (x: number) => when(x).slice(0, 10);
  const wb = createWorkbook({ at: d.generatedAt, title: d.title });
  addKeyValueSheet(wb, '概要 Summary', [
    ['资料包 / Pack', d.title],
    ['范围 / Scope', d.scopeLabel],
    ['合同 / Contract', d.contract ? `${d.contract.number} ${d.contract.title}` : '—'],
    ['期间 / Period', `${day(d.periodStart)} 至 ${day(d.periodLast)}`],
    ['维护记录（双方已确认） / Confirmed records', d.records.confirmed.length],
    ['维护记录（待确认） / Pending', d.records.pending],
    ['维护记录（有异议） / Disputed', d.records.disputed],
    ['故障工单 / Incidents', d.incidents],
    ['违约次数 / Breaches', d.breaches.length],
    ['改造需求 / Modifications', d.modifications.length],
    ['巡检报告 / Inspection reports', d.inspections.length],
    ['台账校验 / Ledger verifies', d.ledger.ok ? '通过 / ok' : '未通过 / BROKEN'],
    ['台账条目数 / Ledger entries', d.ledger.entries],
    ['台账头序号 / Ledger head seq', d.ledger.headSeq ?? '—'],
    ['台账头哈希 / Ledger head hash', d.ledger.headHash ?? '—'],
  ]);
  addTableSheet(
    wb,
    '维护记录 Records',
    [
      { header: '记录编号 / Record', key: 'number', width: 26 },
      { header: '类型 / Type', key: 'type', width: 10 },
      { header: '来源 / Source', key: 'source', width: 22 },
      { header: '系统 / System', key: 'system', width: 26 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '问题 / Problem', key: 'problem', width: 40 },
      { header: '原因 / Cause', key: 'cause', width: 30 },
      { header: '结果 / Result', key: 'result', width: 16 },
      { header: '完成时间 / Completed', key: 'completed', width: 17 },
      { header: 'SLA 违约 / Breached', key: 'breached', width: 10 },
      { header: '院方确认 / Hospital', key: 'hospital', width: 24 },
      { header: '服务商确认 / Vendor', key: 'vendor', width: 24 },
      { header: '版本 / Version', key: 'version', width: 8 },
      { header: '台账条目 / Entry', key: 'seq', width: 8 },
      { header: '条目哈希 / Entry hash', key: 'hash', width: 66 },
    ],
    d.records.confirmed.map((r) => ({
      number: r.number,
      type: SOURCE_ZH[r.type as keyof typeof SOURCE_ZH] ?? r.type,
      source: r.sourceNumber,
      system: `${r.systemCode} ${r.systemName}`,
      title: r.title,
      problem: r.problem,
      cause: r.cause,
      result: r.result,
      completed: when(r.completedAt),
      breached: r.slaBreached ? '是' : '否',
      hospital: r.hospital ? `${r.hospital.name} ${when(r.hospital.at)}` : '—',
      vendor: r.vendor ? `${r.vendor.name} ${when(r.vendor.at)}` : '—',
      version: r.version,
      seq: r.headSeq,
      hash: r.headHash,
    })),
  );
  addTableSheet(
    wb,
    'SLA 达标 Compliance',
    [
      { header: '时段 / Tier', key: 'tier', width: 14 },
      { header: '时限 / Clock', key: 'clock', width: 12 },
      { header: '工单数 / Incidents', key: 'incidents', width: 10 },
      { header: '达标 / Met', key: 'met', width: 8 },
      { header: '违约 / Breached', key: 'breached', width: 8 },
      { header: '未结 / Open', key: 'open', width: 8 },
      { header: '达标率 / Rate', key: 'rate', width: 10 },
    ],
    d.compliance.map((c) => ({ tier: c.tierLabel, clock: c.clockLabel, incidents: c.incidents, met: c.met, breached: c.breached, open: c.open, rate: c.rateText })),
  );
  addTableSheet(
    wb,
    '违约明细 Breaches',
    [
      { header: '工单 / Incident', key: 'number', width: 20 },
      { header: '系统 / System', key: 'system', width: 26 },
      { header: '优先级 / Priority', key: 'priority', width: 8 },
      { header: '时段 / Tier', key: 'tier', width: 12 },
      { header: '时限 / Clock', key: 'clock', width: 10 },
      { header: '报障 / Reported', key: 'reported', width: 17 },
      { header: '时限截止 / Deadline', key: 'deadline', width: 17 },
      { header: '实际完成 / Done', key: 'done', width: 17 },
      { header: '超时(分钟) / Overdue min', key: 'overdue', width: 10 },
      { header: '原因 / Cause', key: 'cause', width: 40 },
    ],
    d.breaches.map((b) => ({
      number: b.number,
      system: `${b.systemCode} ${b.systemName}`,
      priority: b.priority,
      tier: b.tierLabel,
      clock: b.clockLabel,
      reported: when(b.reportedAt),
      deadline: when(b.deadline),
      done: when(b.doneAt),
      overdue: b.overdueMinutes,
      cause: b.cause ?? '—',
    })),
  );
  addTableSheet(
    wb,
    '其他时限 Other clocks',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '时限 / Clock', key: 'kind', width: 14 },
      { header: '系统 / System', key: 'system', width: 10 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '截止 / Deadline', key: 'deadline', width: 17 },
      { header: '完成 / Done', key: 'done', width: 17 },
      { header: '超时(分钟) / Overdue min', key: 'overdue', width: 10 },
    ],
    d.otherBreaches.map((b) => ({ number: b.number, kind: b.kind, system: b.systemCode, title: b.title, deadline: when(b.deadline), done: when(b.doneAt), overdue: b.overdueMinutes })),
  );
  addTableSheet(
    wb,
    '改造 Modifications',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '系统 / System', key: 'system', width: 26 },
      { header: '类型 / Type', key: 'type', width: 10 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '状态 / State', key: 'state', width: 12 },
      { header: '提出 / Submitted', key: 'submitted', width: 17 },
      { header: '交付时限 / Due', key: 'due', width: 17 },
      { header: '上线 / Go-live', key: 'live', width: 17 },
      { header: '交付超时 / Late', key: 'late', width: 8 },
      { header: '可验收 / Eligible', key: 'eligible', width: 17 },
      { header: '验收 / Accepted', key: 'accepted', width: 17 },
    ],
    d.modifications.map((m) => ({
      number: m.number,
      system: `${m.systemCode} ${m.systemName}`,
      type: m.typeLabel,
      title: m.title,
      state: m.stateLabel,
      submitted: when(m.submittedAt),
      due: when(m.deliveryDue),
      live: when(m.liveAt),
      late: m.deliveryBreached ? '是' : '否',
      eligible: when(m.acceptanceEligibleAt),
      accepted: when(m.acceptedAt),
    })),
  );
  addTableSheet(
    wb,
    '巡检报告 Inspections',
    [
      { header: '巡检 / Inspection', key: 'number', width: 20 },
      { header: '类型 / Profile', key: 'profile', width: 10 },
      { header: '开始 / Started', key: 'started', width: 17 },
      { header: '报告 / Report', key: 'title', width: 30 },
      { header: '版本 / Version', key: 'version', width: 8 },
      { header: '签署 / Signed off', key: 'signed', width: 30 },
      { header: 'PDF SHA-256', key: 'sha', width: 66 },
    ],
    d.inspections.map((i) => ({ number: i.inspectionNumber, profile: i.profile, started: when(i.startedAt), title: i.title, version: i.version, signed: i.signedOffBy.join('、') || '—', sha: i.pdfSha256 })),
  );
  return workbookToBuffer(wb, d.generatedAt);
}

export interface BuiltPack {
  zip: Buffer;
  zipSha256: string;
  pdfSha256: string;
  xlsxSha256: string;
  ledgerHead: { seq: number; hash: string } | null;
  summary: Record<string, unknown>;
}

/** The zip: summary.pdf, detail.xlsx, the inspection reports, LEDGER-HEAD.txt and SHA256SUMS, in that order. */
export async function renderAcceptancePack(ds: DataSource, s: PackScope, r: { html: ReportHtmlRenderer; pdf: PdfRenderer }, offset: number): Promise<BuiltPack> {
  const { data, inspectionPdfs } = await collectAcceptancePack(ds, s);
  const html = r.html.render('acceptance-pack', data);
  const pdf = await r.pdf.render(html, { title: data.title, deterministicAt: data.generatedAt, timeoutMs: 120_000 });
  const xlsx = await renderAcceptancePackXlsx(data, offset);
  const head = `ledger head seq ${data.ledger.headSeq ?? '-'}\nentry_hash ${data.ledger.headHash ?? '-'}\nverified ${data.ledger.ok ? 'ok' : 'BROKEN'} over ${data.ledger.entries} entries\n`;
  const files = [{ name: 'summary.pdf', data: pdf }, { name: 'detail.xlsx', data: xlsx }, ...inspectionPdfs, { name: 'LEDGER-HEAD.txt', data: Buffer.from(head, 'utf8') }];
  const sums = files.map((f) => `${sha256(f.data)}  ${f.name}\n`).join('');
  const zip = await buildZip([...files, { name: 'SHA256SUMS', data: Buffer.from(sums, 'utf8') }], { date: data.generatedAt });
  return {
    zip,
    zipSha256: sha256(zip),
    pdfSha256: sha256(pdf),
    xlsxSha256: sha256(xlsx),
    ledgerHead: data.ledger.headSeq === null ? null : { seq: data.ledger.headSeq, hash: data.ledger.headHash! },
    summary: {
      recordsConfirmed: data.records.confirmed.length,
      recordsPending: data.records.pending,
      recordsDisputed: data.records.disputed,
      incidents: data.incidents,
      breaches: data.breaches.length,
      otherBreaches: data.otherBreaches.length,
      modifications: data.modifications.length,
      inspections: data.inspections.length,
      ledgerOk: data.ledger.ok,
      files: files.map((f) => f.name),
    },
  };
}
