import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PdfRenderer, ReportHtmlRenderer, addKeyValueSheet, addTableSheet, createWorkbook, formatPercent, renderBarChartSvg, renderPieChartSvg, workbookToBuffer } from '../../adapters/reports';
import { AcceptanceGap, acceptanceGaps, timeLeft } from '../../domain/evidence/contract';
import { ComplianceRow, serviceStats } from '../../domain/evidence/service-stats';
import { formatDayNumber, formatInZone, localDayNumber } from '../../domain/time';
import { downtimeReport } from '../../persistence/downtime/downtime-store';
import { problemDigest } from '../../persistence/problems/problem-store';
import { surveySummary } from '../../persistence/surveys/survey-store';
import { PROBLEM_STATE_ZH } from '../../domain/problems/problem';
import { acceptanceCounts, contractPeriod, currentContract } from '../../persistence/evidence/contract-store';
import { ChangeLine, ModificationLine, incidentFacts, periodChanges, periodModifications, periodRecords, periodSupportRequests } from '../../persistence/evidence/evidence-queries';
import { SUPPORT_STATE_ZH, SUPPORT_TYPE_ZH } from '../../domain/support/support-request';
import { MonthlyReportRow } from '../../persistence/evidence/monthly-report-store';
import { verifyLedger } from '../../persistence/records/ledger';
import { CLOCK_LABELS, MODIFICATION_STATE_LABELS, TIER_LABELS } from '../../shared/labels';
import { CATEGORY_LABELS } from '../../shared/timeline-labels';

/**
 * S8: the monthly service report of the incident, change and modification processes, the service's downtime and
 * revenue at stake (S9), the contract's months left and what acceptance lacks (S18), and the improvement plan the
 * project manager and quality manager write. zh-CN first; ECharts SVG charts; PDF and XLSX through the shared
 * renderer. Sections whose data does not exist (no downtime flagged) say so rather than show invented figures.
 */
const KIND_ZH: Record<string, string> = { standard: '标准变更', normal: '一般变更', emergency: '紧急变更' };
const MOD_TYPE_ZH: Record<string, string> = { improvement: '功能改进', adaptation: '适配调整', interface: '接口对接' };

export interface MonthlyFigures {
  month: string;
  incidents: number;
  resolved: number;
  breaches: number;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  bySystem: { key: string; label: string; count: number }[];
  byPriority: { key: string; label: string; count: number }[];
  byCategory: { key: string; label: string; count: number }[];
  compliance: ComplianceRow[];
  /** Response and on-site compliance over both tiers. */
  respondRate: number | null;
  onSiteRate: number | null;
  changes: { total: number; standard: number; normal: number; emergency: number; reviews: number; approvals: number; rejections: number; sendBacks: number; implemented: number };
  modifications: { total: number; delivered: number; deliveredLate: number; accepted: number };
  records: { total: number; confirmed: number; pending: number; disputed: number };
  downtime: { systems: number; systemHours: number; revenueAtStake: number; systemsWithoutRevenue: number } | null;
  /** S8 satisfaction surveys answered in the month (scores 1–5). */
  satisfaction: {
    sent: number;
    responses: number;
    average: number | null;
    satisfiedPercent: number | null;
    bySystem: { code: string; name: string; responses: number; average: number | null }[];
    byEngineer: { name: string; responses: number; average: number | null }[];
  };
  /** S6: support requests submitted in the month, fulfilled, and those whose 2-working-day clock breached. */
  supportRequests: { total: number; fulfilled: number; breached: number; byType: { key: string; label: string; count: number }[] };
  /** S1: problems proposed and closed in the month, and those open at its end (hidden risks, known errors). */
  problems: { proposed: number; closed: number; rejected: number; open: number; knownErrors: number };
  contract: { number: string; monthsLeft: number; daysLeft: number; ended: boolean; lacks: AcceptanceGap[] } | null;
}

export interface MonthlyReportData {
  title: string;
  month: string;
  periodStart: number;
  periodLast: number;
  state: string;
  stateLabel: string;
  published: { by: string; at: number } | null;
  figures: MonthlyFigures;
  rates: { respond: string; onSite: string };
  compliance: (ComplianceRow & { tierLabel: string; clockLabel: string; rateText: string })[];
  breaches: (ReturnType<typeof serviceStats>['breaches'][number] & { clockLabel: string; tierLabel: string })[];
  changeRows: (ChangeLine & { kindLabel: string })[];
  modificationRows: (ModificationLine & { typeLabel: string; stateLabel: string })[];
  downtime: { code: string; name: string; hours: number; revenueAtStake: number | null; incidents: string }[] | null;
  supportRows: { number: string; systemCode: string; typeLabel: string; title: string; stateLabel: string; fulfilledAt: number | null; breached: boolean }[];
  problemRows: { number: string; systemCode: string; title: string; stateLabel: string; rootCause: string | null; workaround: string | null; incidents: string }[];
  plan: string | null;
  planEditors: string;
  charts: { bySystem: string | null; byPriority: string | null; compliance: string | null };
  sections: string[];
}

const rateOf = (rows: ComplianceRow[], clock: string) => {
  const met = rows.filter((r) => r.clock === clock).reduce((a, r) => a + r.met, 0);
  const breached = rows.filter((r) => r.clock === clock).reduce((a, r) => a + r.breached, 0);
  return met + breached === 0 ? null : met / (met + breached);
};

export async function collectMonthlyReport(ds: DataSource, report: MonthlyReportRow, offset: number): Promise<MonthlyReportData> {
  const { periodStart: from, periodEnd: to } = report;
  const facts = await incidentFacts(ds, from, to);
  const stats = serviceStats(facts, to, { category: (c) => (c ? (CATEGORY_LABELS['zh-CN'] as Record<string, string>)[c] ?? c : '未分类（未修复）') });
  const changes = await periodChanges(ds, from, to);
  const mods = await periodModifications(ds, from, to);
  const records = await periodRecords(ds, from, to);
  const down = await downtimeReport(ds, { from: new Date(from), to: new Date(to) }, { now: to });
  const contract = await currentContract(ds, formatDayNumber(localDayNumber(to - 1, offset)));
  const satisfaction = await surveySummary(ds, { from: new Date(from), to: new Date(to) }, { utcOffsetMinutes: offset });
  const problems = await problemDigest(ds, { from: new Date(from), to: new Date(to) });
  const support = await periodSupportRequests(ds, from, to);
  const supportTypes = [...new Set(support.map((x) => x.type))].sort();
  let contractFigures: MonthlyFigures['contract'] = null;
  if (contract) {
    const left = timeLeft(contract.startDate, contract.months, to, offset);
    const period = contractPeriod(contract, offset);
    const counts = await acceptanceCounts(ds, period.from, period.to, contract.id);
    const ledger = await verifyLedger(ds);
    const lacks = acceptanceGaps({
      periodEnded: left.ended,
      monthsLeft: left.months + (left.days > 0 ? 1 : 0),
      recordsPending: counts.pending,
      recordsDisputed: counts.disputed,
      modificationsAwaitingAcceptance: counts.modificationsLive,
      ledgerOk: ledger.ok,
      acceptedPack: counts.acceptedPack,
    });
    contractFigures = { number: contract.number, monthsLeft: left.months, daysLeft: left.days, ended: left.ended, lacks };
  }
  const inMonth = (x: number | null) => x !== null && x >= from && x < to;
  const figures: MonthlyFigures = {
    month: report.month,
    incidents: stats.incidents,
    resolved: stats.resolved,
    breaches: stats.breaches.length,
    mttaMinutes: stats.mttaMinutes,
    mttrMinutes: stats.mttrMinutes,
    bySystem: stats.bySystem,
    byPriority: stats.byPriority,
    byCategory: stats.byCategory,
    compliance: stats.compliance,
    respondRate: rateOf(stats.compliance, 'respond'),
    onSiteRate: rateOf(stats.compliance, 'on_site'),
    changes: {
      total: changes.length,
      standard: changes.filter((c) => c.kind === 'standard').length,
      normal: changes.filter((c) => c.kind === 'normal').length,
      emergency: changes.filter((c) => c.kind === 'emergency').length,
      reviews: changes.reduce((a, c) => a + c.reviews, 0),
      approvals: changes.reduce((a, c) => a + c.approvals, 0),
      rejections: changes.reduce((a, c) => a + c.rejections, 0),
      sendBacks: changes.reduce((a, c) => a + c.sendBacks, 0),
      implemented: changes.filter((c) => c.implementedAt !== null).length,
    },
    modifications: {
      total: mods.length,
      delivered: mods.filter((m) => inMonth(m.liveAt)).length,
      deliveredLate: mods.filter((m) => inMonth(m.liveAt) && m.deliveryBreached).length,
      accepted: mods.filter((m) => inMonth(m.acceptedAt)).length,
    },
    records: {
      total: records.length,
      confirmed: records.filter((r) => r.state === 'confirmed').length,
      pending: records.filter((r) => r.state === 'pending').length,
      disputed: records.filter((r) => r.state === 'disputed').length,
    },
    downtime: down.systems.length === 0 ? null : { systems: down.totals.systems, systemHours: down.totals.systemHours, revenueAtStake: down.totals.revenueAtStake, systemsWithoutRevenue: down.totals.systemsWithoutRevenue },
    satisfaction: {
      sent: satisfaction.sent,
      responses: satisfaction.responses,
      average: satisfaction.average,
      satisfiedPercent: satisfaction.satisfiedPercent,
      bySystem: satisfaction.bySystem.map((x) => ({ code: x.code, name: x.name, responses: x.responses, average: x.average })),
      byEngineer: satisfaction.byEngineer.map((x) => ({ name: x.name, responses: x.responses, average: x.average })),
    },
    problems: { ...problems.period, open: problems.open.length, knownErrors: problems.knownErrors.length },
    supportRequests: {
      total: support.length,
      fulfilled: support.filter((x) => x.fulfilledAt !== null).length,
      breached: support.filter((x) => x.breached).length,
      byType: supportTypes.map((t) => ({ key: t, label: SUPPORT_TYPE_ZH[t as keyof typeof SUPPORT_TYPE_ZH] ?? t, count: support.filter((x) => x.type === t).length })),
    },
    contract: contractFigures,
  };
  const sections = ['overall', 'incidents', 'changes', 'modifications', 'support_requests', 'problems', 'satisfaction', ...(figures.downtime ? ['downtime'] : []), ...(contractFigures ? ['contract'] : []), 'improvement'];
  const [y, m] = report.month.split('-');
  return {
    title: `${y}年${Number(m)}月 月度服务报告`,
    month: report.month,
    periodStart: from,
    periodLast: to - 1,
    state: report.state,
    stateLabel: report.state === 'published' ? '已发布' : '草稿',
    published: report.published ? { by: report.published.by.name, at: report.published.at } : null,
    figures,
    rates: { respond: formatPercent(figures.respondRate), onSite: formatPercent(figures.onSiteRate) },
    compliance: stats.compliance.map((c) => ({ ...c, tierLabel: TIER_LABELS['zh-CN'][c.tier], clockLabel: CLOCK_LABELS['zh-CN'][c.clock], rateText: formatPercent(c.rate) })),
    breaches: stats.breaches.map((b) => ({ ...b, clockLabel: CLOCK_LABELS['zh-CN'][b.clock], tierLabel: TIER_LABELS['zh-CN'][b.tier] })),
    changeRows: changes.map((c) => ({ ...c, kindLabel: KIND_ZH[c.kind] ?? c.kind })),
    modificationRows: mods.map((x) => ({ ...x, typeLabel: MOD_TYPE_ZH[x.type] ?? x.type, stateLabel: MODIFICATION_STATE_LABELS['zh-CN'][x.state] ?? x.state })),
    downtime: figures.downtime
      ? down.systems.map((s) => ({ code: s.code, name: s.name, hours: s.hours, revenueAtStake: s.revenueAtStake, incidents: [...new Set(s.incidents.map((i) => i.number))].join('、') }))
      : null,
    supportRows: support.map((x) => ({
      number: x.number,
      systemCode: x.systemCode,
      typeLabel: SUPPORT_TYPE_ZH[x.type as keyof typeof SUPPORT_TYPE_ZH] ?? x.type,
      title: x.title,
      stateLabel: SUPPORT_STATE_ZH[x.state as keyof typeof SUPPORT_STATE_ZH] ?? x.state,
      fulfilledAt: x.fulfilledAt,
      breached: x.breached,
    })),
    problemRows: [...problems.open, ...problems.knownErrors].map((x) => ({
      number: x.number,
      systemCode: x.systemCode,
      title: x.title,
      stateLabel: PROBLEM_STATE_ZH[x.state as keyof typeof PROBLEM_STATE_ZH] ?? x.state,
      rootCause: x.rootCause,
      workaround: x.workaround,
      incidents: x.incidents.map((i) => i.number).join('、'),
    })),
    plan: report.improvementPlan,
    planEditors: report.planEdits.map((e) => `${e.by.name}（${e.as.map((r) => (r === 'project_manager' ? '项目经理' : '质量经理')).join('/')}）`).join('、'),
    charts: {
      bySystem: stats.bySystem.length ? renderBarChartSvg({ title: '按系统故障数', categories: stats.bySystem.slice(0, 12).map((s) => s.key), series: [{ name: '故障', values: stats.bySystem.slice(0, 12).map((s) => s.count) }], unit: '件' }) : null,
      byPriority: stats.byPriority.length ? renderPieChartSvg({ title: '按优先级', slices: stats.byPriority.map((p) => ({ name: p.key, value: p.count })) }) : null,
      compliance: stats.incidents
        ? renderBarChartSvg({
            title: '各时段达标率',
            categories: stats.compliance.map((c) => `${TIER_LABELS['zh-CN'][c.tier]}${CLOCK_LABELS['zh-CN'][c.clock]}`),
            series: [{ name: '达标率 %', values: stats.compliance.map((c) => (c.rate === null ? 0 : Math.round(c.rate * 1000) / 10)) }],
            unit: '%',
          })
        : null,
    },
    sections,
  };
}

export async function renderMonthlyXlsx(d: MonthlyReportData, offset: number): Promise<Buffer> {
  const when = (x: number | null) => (x === null ? '—' : formatInZone(x, offset).replace('T', ' ').slice(0, 16));
  const f = d.figures;
  const wb = createWorkbook({ at: d.periodLast + 1, title: d.title });
  addKeyValueSheet(wb, '概要 Summary', [
    ['月份 / Month', d.month],
    ['状态 / State', d.stateLabel],
    ['故障总数 / Incidents', f.incidents],
    ['已修复 / Resolved', f.resolved],
    ['违约次数 / Breaches', f.breaches],
    ['响应达标率 / Response compliance', formatPercent(f.respondRate)],
    ['到场达标率 / On-site compliance', formatPercent(f.onSiteRate)],
    ['MTTA(分钟) / minutes', f.mttaMinutes === null ? '—' : Number(f.mttaMinutes.toFixed(1))],
    ['MTTR(分钟) / minutes', f.mttrMinutes === null ? '—' : Number(f.mttrMinutes.toFixed(1))],
    ['变更 / Changes', f.changes.total],
    ['紧急变更 / Emergency changes', f.changes.emergency],
    ['审核 / Reviews', f.changes.reviews],
    ['驳回 / Rejections', f.changes.rejections],
    ['改造需求 / Modifications', f.modifications.total],
    ['维护记录 / Records', f.records.total],
    ['双方已确认 / Confirmed', f.records.confirmed],
    ['服务请求 / Support requests', f.supportRequests.total],
    ['服务请求超时 / Support requests late', f.supportRequests.breached],
    ['满意度回复 / Survey responses', f.satisfaction.responses],
    ['满意度平均分 / Average score', f.satisfaction.average ?? '—'],
    ['新增问题 / Problems proposed', f.problems.proposed],
    ['未关闭问题 / Problems open', f.problems.open + f.problems.knownErrors],
    ...(f.downtime ? ([['停机系统·小时 / System-hours down', f.downtime.systemHours], ['影响收入(元) / Revenue at stake', f.downtime.revenueAtStake]] as [string, number][]) : []),
    ...(f.contract ? ([['合同剩余 / Contract left', `${f.contract.monthsLeft} 个月 ${f.contract.daysLeft} 天`]] as [string, string][]) : []),
  ]);
  const countCols = [
    { header: '项 / Key', key: 'key', width: 16 },
    { header: '名称 / Name', key: 'label', width: 30 },
    { header: '数量 / Count', key: 'count', width: 10 },
  ];
  addTableSheet(wb, '按系统 By system', countCols, f.bySystem.map((r) => ({ ...r })));
  addTableSheet(wb, '按优先级 By priority', countCols, f.byPriority.map((r) => ({ ...r })));
  addTableSheet(wb, '按类别 By category', countCols, f.byCategory.map((r) => ({ ...r })));
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
      { header: '截止 / Deadline', key: 'deadline', width: 17 },
      { header: '完成 / Done', key: 'done', width: 17 },
      { header: '超时(分钟) / Overdue min', key: 'overdue', width: 10 },
      { header: '原因 / Cause', key: 'cause', width: 40 },
    ],
    d.breaches.map((b) => ({ number: b.number, system: `${b.systemCode} ${b.systemName}`, priority: b.priority, tier: b.tierLabel, clock: b.clockLabel, deadline: when(b.deadline), done: when(b.doneAt), overdue: b.overdueMinutes, cause: b.cause ?? '—' })),
  );
  addTableSheet(
    wb,
    '变更 Changes',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '系统 / System', key: 'system', width: 24 },
      { header: '类型 / Kind', key: 'kind', width: 10 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '风险 / Risk', key: 'risk', width: 8 },
      { header: '状态 / State', key: 'state', width: 12 },
      { header: '审核 / Reviews', key: 'reviews', width: 8 },
      { header: '驳回 / Rejections', key: 'rejections', width: 8 },
      { header: '实施 / Implemented', key: 'implemented', width: 17 },
    ],
    d.changeRows.map((c) => ({ number: c.number, system: `${c.systemCode} ${c.systemName}`, kind: c.kindLabel, title: c.title, risk: c.risk, state: c.state, reviews: c.reviews, rejections: c.rejections, implemented: when(c.implementedAt) })),
  );
  addTableSheet(
    wb,
    '改造 Modifications',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '系统 / System', key: 'system', width: 24 },
      { header: '类型 / Type', key: 'type', width: 10 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '状态 / State', key: 'state', width: 12 },
      { header: '上线 / Go-live', key: 'live', width: 17 },
      { header: '交付超时 / Late', key: 'late', width: 8 },
      { header: '验收 / Accepted', key: 'accepted', width: 17 },
    ],
    d.modificationRows.map((m) => ({ number: m.number, system: `${m.systemCode} ${m.systemName}`, type: m.typeLabel, title: m.title, state: m.stateLabel, live: when(m.liveAt), late: m.deliveryBreached ? '是' : '否', accepted: when(m.acceptedAt) })),
  );
  if (d.downtime) {
    addTableSheet(
      wb,
      '停机与收入 Downtime',
      [
        { header: '系统 / System', key: 'code', width: 10 },
        { header: '名称 / Name', key: 'name', width: 28 },
        { header: '停机小时 / Hours', key: 'hours', width: 10 },
        { header: '影响收入(元) / Revenue at stake', key: 'revenue', width: 16 },
        { header: '相关工单 / Incidents', key: 'incidents', width: 40 },
      ],
      d.downtime.map((s) => ({ code: s.code, name: s.name, hours: s.hours, revenue: s.revenueAtStake, incidents: s.incidents })),
    );
  }
  addTableSheet(
    wb,
    '服务请求 Support requests',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '系统 / System', key: 'systemCode', width: 10 },
      { header: '类型 / Type', key: 'typeLabel', width: 12 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '状态 / State', key: 'stateLabel', width: 12 },
      { header: '完成 / Fulfilled', key: 'fulfilled', width: 17 },
      { header: '超时 / Late', key: 'late', width: 8 },
    ],
    d.supportRows.map((x) => ({ number: x.number, systemCode: x.systemCode, typeLabel: x.typeLabel, title: x.title, stateLabel: x.stateLabel, fulfilled: when(x.fulfilledAt), late: x.breached ? '是' : '否' })),
  );
  addKeyValueSheet(wb, '满意度 Satisfaction', [
    ['发出调查 / Surveys sent', f.satisfaction.sent],
    ['回复 / Responses', f.satisfaction.responses],
    ['平均分 / Average (1–5)', f.satisfaction.average ?? '—'],
    ['满意率(4–5分) / Satisfied', f.satisfaction.satisfiedPercent === null ? '—' : `${f.satisfaction.satisfiedPercent}%`],
    ...f.satisfaction.bySystem.map((x) => [`${x.code} ${x.name}`, `${x.responses} 份，平均 ${x.average ?? '—'}`] as [string, string]),
    ...f.satisfaction.byEngineer.map((x) => [`工程师 ${x.name}`, `${x.responses} 份，平均 ${x.average ?? '—'}`] as [string, string]),
  ]);
  addTableSheet(
    wb,
    '问题管理 Problems',
    [
      { header: '编号 / Number', key: 'number', width: 20 },
      { header: '系统 / System', key: 'systemCode', width: 10 },
      { header: '标题 / Title', key: 'title', width: 30 },
      { header: '状态 / State', key: 'stateLabel', width: 12 },
      { header: '根因 / Root cause', key: 'rootCause', width: 30 },
      { header: '临时措施 / Workaround', key: 'workaround', width: 30 },
      { header: '关联故障 / Incidents', key: 'incidents', width: 40 },
    ],
    d.problemRows.map((x) => ({ ...x })),
  );
  addKeyValueSheet(wb, '改进计划 Improvement', [
    ['改进计划 / Plan', d.plan ?? '（待项目经理与质量经理填写）'],
    ['编辑 / Edited by', d.planEditors || '—'],
  ]);
  return workbookToBuffer(wb, d.periodLast + 1);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function renderMonthlyReport(
  ds: DataSource,
  report: MonthlyReportRow,
  r: { html: ReportHtmlRenderer; pdf: PdfRenderer },
  offset: number,
): Promise<{ pdf: Buffer; pdfSha256: string; xlsx: Buffer; xlsxSha256: string; figures: MonthlyFigures; sections: string[]; title: string }> {
  const data = await collectMonthlyReport(ds, report, offset);
  const pdf = await r.pdf.render(r.html.render('monthly-report', data), { title: data.title, deterministicAt: data.periodLast + 1, timeoutMs: 120_000 });
  const xlsx = await renderMonthlyXlsx(data, offset);
  return { pdf, pdfSha256: sha256(pdf), xlsx, xlsxSha256: sha256(xlsx), figures: data.figures, sections: data.sections, title: data.title };
}
