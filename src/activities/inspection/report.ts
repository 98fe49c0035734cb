import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  PdfRenderer,
  ReportHtmlRenderer,
  addKeyValueSheet,
  addTableSheet,
  createWorkbook,
  renderBarChartSvg,
  renderPieChartSvg,
  workbookToBuffer,
} from '../../adapters/reports';
import { CheckDefinition, SEVERITIES, SEVERITY_LABELS, SEVERITY_RANK, Severity } from '../../domain/inspection/catalogue';
import { formatInZone } from '../../domain/time';
import { ITEM_TYPES, ItemType } from '../../domain/cmdb';
import { checksAt } from '../../persistence/inspections/catalogue-store';

/**
 * The inspection report (S16, P4): zh-CN first with English beside it — summary, scores per business system with
 * trend, the database environment first, then servers and the rest, findings by severity with evidence and
 * remedies, the top risks, and what changed since the previous inspection. PDF through the shared renderer
 * (headless Chromium, ECharts SVG), XLSX of every finding; both stored for listing, download and sign-off.
 */
const TITLES: Record<string, { zh: string; en: string }> = {
  'collector.ssh': { zh: '无法通过 SSH 巡检', en: 'Could not inspect over SSH' },
  'collector.postgresql': { zh: '无法连接 PostgreSQL 巡检', en: 'Could not inspect PostgreSQL' },
  'collector.mysql': { zh: '无法连接 MySQL/MariaDB 巡检', en: 'Could not inspect MySQL/MariaDB' },
  'collector.coverage': { zh: '无适用的采集方式', en: 'No collector for this item' },
};
const ACCESS_ADVICE = {
  zh: '核对 CMDB 中的地址、端口与凭据，确认网络与防火墙放行、账号未被锁定；恢复巡检通道后重新巡检。',
  en: 'Check the address, port and credential in the CMDB, the network and firewall, and that the account is not locked; inspect again once it is reachable.',
};
const CHECK_ERROR_ADVICE = { zh: '检查项执行出错：核对该检查的命令或查询、账号权限与目标版本。', en: 'The check itself failed: review its command or query, the account’s privileges and the target version.' };

export interface ReportFinding {
  resultId: string;
  itemId: string;
  itemName: string;
  itemType: string;
  itemTypeLabel: string;
  checkId: string;
  checkVersion: number;
  title: { zh: string; en: string };
  advice: { zh: string; en: string };
  explanation: { zh: string; en: string } | null;
  subject: string;
  status: string;
  severity: Severity;
  severityLabel: { zh: string; en: string };
  value: number | null;
  unit: string;
  threshold: string;
  evidence: string;
  measuredAt: number;
}

export interface InspectionReportData {
  title: string;
  number: string;
  profile: string;
  profileLabel: { zh: string; en: string };
  scopeText: string;
  startedAt: number;
  finishedAt: number | null;
  periodStart: number | null;
  periodEnd: number;
  previousNumber: string | null;
  kpis: { items: number; scored: number; findings: number; bySeverity: { label: { zh: string; en: string }; count: number; severity: Severity }[]; worsening: number };
  systems: { name: string; displayName: string; score: number | null; previous: number | null; delta: number | null; worsening: boolean; weakest: string; rule: string }[];
  database: ReportSection;
  others: ReportSection;
  risks: (ReportFinding & { rank: number; riskScore: number; dependants: number })[];
  changes: { worsening: { name: string; score: number | null; previous: number | null }[]; newFindings: ReportFinding[]; resolved: { itemName: string; title: string; subject: string }[] };
  charts: { systems: string | null; severity: string | null };
  generatedAt: number;
}

export interface ReportSection {
  items: { name: string; displayName: string; typeLabel: string; score: number | null; previous: number | null; delta: number | null; worsening: boolean; findings: number; reachable: boolean | null }[];
  findings: ReportFinding[];
}

const sevLabel = (s: Severity) => SEVERITY_LABELS[s];
const thresholdText = (t: unknown, unit: string): string => {
  const th = t as { op?: string; value?: number } | null;
  return th && th.op ? `${th.op} ${th.value}${unit ? ` ${unit}` : ''}` : '';
};

function evidenceText(e: Record<string, unknown>): string {
  const parts: string[] = [];
  if (e.target) parts.push(`目标 / target: ${String(e.target)}`);
  const cmd = (e.command ?? e.query) as string | undefined;
  if (cmd) parts.push(`${e.command ? '命令 / command' : '查询 / query'}: ${cmd.length > 240 ? `${cmd.slice(0, 240)}…` : cmd}`);
  if (e.detail) parts.push(`详情 / detail: ${String(e.detail)}`);
  if (e.previous !== undefined) parts.push(`上次 / previous: ${String(e.previous)}`);
  if (e.errorKind) parts.push(`错误 / error: ${String(e.errorKind)} — ${String(e.message ?? '')}`);
  if (e.note) parts.push(`说明 / note: ${String(e.note)}`);
  return parts.join('\n');
}

/** Gathers everything the report shows from the stored inspection; the same rows give the same data. */
export async function buildInspectionReportData(ds: DataSource, inspectionId: string, utcOffsetMinutes: number): Promise<InspectionReportData> {
  const [insp] = await ds.query(
    `SELECT i.*, p.number AS previous_number, p.started_at AS previous_started FROM inspections i LEFT JOIN inspections p ON p.id = i.previous_id WHERE i.id = $1`,
    [inspectionId],
  );
  if (!insp) throw new Error(`inspection ${inspectionId} does not exist`);
  const defs = new Map<string, CheckDefinition>((await checksAt(ds, insp.catalogue)).map((d) => [d.id, d]));
  const items: any[] = await ds.query(`SELECT * FROM inspection_items WHERE inspection_id = $1 ORDER BY item_type, item_name`, [inspectionId]);
  const itemById = new Map(items.map((i) => [i.item_id, i]));
  const results: any[] = await ds.query(
    `SELECT * FROM inspection_results WHERE inspection_id = $1 AND severity IS NOT NULL
      ORDER BY array_position(ARRAY['critical','high','medium','low','info'], severity), check_id, subject, id`,
    [inspectionId],
  );
  const finding = (r: any): ReportFinding => {
    const def = defs.get(r.check_id);
    const item = itemById.get(r.item_id);
    const isAccess = r.check_id.startsWith('collector.');
    return {
      resultId: r.id,
      itemId: r.item_id,
      itemName: item?.item_name ?? '?',
      itemType: item?.item_type ?? '?',
      itemTypeLabel: ITEM_TYPES[item?.item_type as ItemType]?.label ?? item?.item_type ?? '?',
      checkId: r.check_id,
      checkVersion: r.check_version,
      title: def?.title ?? TITLES[r.check_id] ?? { zh: r.check_id, en: r.check_id },
      advice: isAccess ? ACCESS_ADVICE : r.status === 'error' ? CHECK_ERROR_ADVICE : (def?.advice ?? { zh: '—', en: '—' }),
      explanation: def?.explanation ?? null,
      subject: r.subject,
      status: r.status,
      severity: r.severity,
      severityLabel: sevLabel(r.severity),
      value: r.value,
      unit: r.unit,
      threshold: thresholdText(r.threshold, r.unit),
      evidence: evidenceText(r.evidence),
      measuredAt: new Date(r.measured_at).getTime(),
    };
  };
  const all = results.map(finding);
  const section = (filter: (type: string) => boolean): ReportSection => ({
    items: items
      .filter((i) => filter(i.item_type))
      .map((i) => ({
        name: i.item_name,
        displayName: i.display_name,
        typeLabel: ITEM_TYPES[i.item_type as ItemType]?.label ?? i.item_type,
        score: i.score,
        previous: i.previous_score,
        delta: i.score !== null && i.previous_score !== null ? i.score - i.previous_score : null,
        worsening: Boolean(i.explanation?.trend?.worsening),
        findings: i.findings,
        reachable: i.reachable,
      })),
    findings: all.filter((f) => filter(f.itemType)),
  });
  const systemsRows: any[] = await ds.query(`SELECT * FROM inspection_system_scores WHERE inspection_id = $1 ORDER BY name`, [inspectionId]);
  const systems = systemsRows.map((s) => ({
    name: s.name,
    displayName: s.display_name,
    score: s.score,
    previous: s.previous_score,
    delta: s.score !== null && s.previous_score !== null ? s.score - s.previous_score : null,
    worsening: Boolean(s.explanation?.trend?.worsening),
    weakest: s.explanation?.weakestCritical ? `${s.explanation.weakestCritical.name} (${s.explanation.weakestCritical.score})` : '—',
    rule: s.explanation?.rule?.zh ?? '',
  }));
  const summary = insp.summary ?? { topRisks: [], findingsBySeverity: {}, worsening: 0, items: items.length, scored: 0 };
  const byId = new Map(all.map((f) => [f.resultId, f]));
  const risks = (summary.topRisks as { resultId: string; rank: number; riskScore: number; dependants: number }[])
    .filter((r) => byId.has(r.resultId))
    .map((r) => ({ ...byId.get(r.resultId)!, rank: r.rank, riskScore: r.riskScore, dependants: r.dependants }));
  // What changed: findings (check + subject) that are new, and those of the previous inspection that are gone.
  let newFindings: ReportFinding[] = [];
  let resolved: { itemName: string; title: string; subject: string }[] = [];
  if (insp.previous_id) {
    const prev: any[] = await ds.query(
      `SELECT r.item_id, r.check_id, r.subject, ii.item_name FROM inspection_results r JOIN inspection_items ii ON ii.inspection_id = r.inspection_id AND ii.item_id = r.item_id
        WHERE r.inspection_id = $1 AND r.severity IS NOT NULL ORDER BY ii.item_name, r.check_id, r.subject`,
      [insp.previous_id],
    );
    const key = (itemId: string, checkId: string, subject: string) => `${itemId}\t${checkId}\t${subject}`;
    const prevKeys = new Set(prev.map((p) => key(p.item_id, p.check_id, p.subject)));
    const nowKeys = new Set(all.map((f) => key(f.itemId, f.checkId, f.subject)));
    newFindings = all.filter((f) => !prevKeys.has(key(f.itemId, f.checkId, f.subject)));
    resolved = prev
      .filter((p) => itemById.has(p.item_id) && !nowKeys.has(key(p.item_id, p.check_id, p.subject)))
      .map((p) => ({ itemName: p.item_name, title: defs.get(p.check_id)?.title.zh ?? TITLES[p.check_id]?.zh ?? p.check_id, subject: p.subject }));
  }
  const bySeverity = [...SEVERITIES].reverse().map((s) => ({ severity: s, label: sevLabel(s), count: all.filter((f) => f.severity === s).length }));
  const scored = systems.filter((s) => s.score !== null);
  const periodEnd = new Date(insp.started_at).getTime();
  const profileLabel = insp.profile === 'quarterly' ? { zh: '季度巡检', en: 'quarterly inspection' } : { zh: '月度巡检', en: 'monthly inspection' };
  const scope = insp.scope as { system?: string; itemType?: string; all?: true };
  const [root] = scope.system ? await ds.query(`SELECT name, display_name FROM cmdb_items WHERE id = $1`, [scope.system]) : [];
  const rootName = root ? `${root.name} ${root.display_name}` : scope.system;
  const scopeText = scope.system ? `${rootName} 及其依赖 / ${root?.name ?? scope.system} and its dependencies` : scope.itemType ? `全部${ITEM_TYPES[scope.itemType as ItemType]?.label ?? scope.itemType} / every ${scope.itemType}` : '全部配置项 / everything';
  return {
    title: `${formatInZone(periodEnd, utcOffsetMinutes).slice(0, 10)} ${profileLabel.zh}报告 ${insp.number}`,
    number: insp.number,
    profile: insp.profile,
    profileLabel,
    scopeText,
    startedAt: new Date(insp.started_at).getTime(),
    finishedAt: insp.finished_at ? new Date(insp.finished_at).getTime() : null,
    periodStart: insp.previous_started ? new Date(insp.previous_started).getTime() : null,
    periodEnd,
    previousNumber: insp.previous_number ?? null,
    kpis: { items: items.length, scored: items.filter((i) => i.score !== null).length, findings: all.length, bySeverity, worsening: summary.worsening ?? 0 },
    systems,
    database: section((t) => t === 'database' || t === 'backup_job'),
    others: section((t) => t !== 'database' && t !== 'backup_job' && t !== 'business_system'),
    risks,
    changes: {
      worsening: [...items.filter((i) => i.explanation?.trend?.worsening).map((i) => ({ name: i.item_name, score: i.score, previous: i.previous_score })), ...systems.filter((s) => s.worsening).map((s) => ({ name: s.name, score: s.score, previous: s.previous }))],
      newFindings,
      resolved,
    },
    charts: {
      systems: scored.length
        ? renderBarChartSvg({
            title: '业务系统健康度 / System health',
            categories: scored.map((s) => s.name),
            series: [{ name: '本次 / now', values: scored.map((s) => s.score ?? 0) }, ...(scored.some((s) => s.previous !== null) ? [{ name: '上次 / previous', values: scored.map((s) => s.previous ?? 0) }] : [])],
            max: 100,
            unit: '分',
          })
        : null,
      severity: all.length ? renderPieChartSvg({ title: '发现按严重程度 / Findings by severity', slices: bySeverity.filter((b) => b.count > 0).map((b) => ({ name: `${b.label.zh} ${b.label.en}`, value: b.count })) }) : null,
    },
    generatedAt: periodEnd,
  };
}

const XLSX_COLUMNS = [
  { header: '严重程度 / Severity', key: 'severity', width: 14 },
  { header: '配置项 / Item', key: 'item', width: 24 },
  { header: '类型 / Type', key: 'type', width: 12 },
  { header: '检查项 / Check', key: 'check', width: 30 },
  { header: '检查 ID / Check id', key: 'checkId', width: 24 },
  { header: '版本 / Version', key: 'version', width: 8 },
  { header: '对象 / Subject', key: 'subject', width: 30 },
  { header: '测量值 / Value', key: 'value', width: 12 },
  { header: '单位 / Unit', key: 'unit', width: 8 },
  { header: '阈值 / Threshold', key: 'threshold', width: 14 },
  { header: '证据 / Evidence', key: 'evidence', width: 60 },
  { header: '建议 / Advice', key: 'advice', width: 60 },
  { header: '测量时间 / Measured at', key: 'at', width: 18 },
];

export async function renderInspectionXlsx(data: InspectionReportData, utcOffsetMinutes: number): Promise<Buffer> {
  const wb = createWorkbook({ at: data.periodEnd, title: data.title });
  const when = (ms: number | null) => (ms === null ? '—' : formatInZone(ms, utcOffsetMinutes).replace('T', ' ').slice(0, 16));
  addKeyValueSheet(wb, '摘要 Summary', [
    ['巡检编号 / Number', data.number],
    ['类型 / Profile', `${data.profileLabel.zh} / ${data.profileLabel.en}`],
    ['范围 / Scope', data.scopeText],
    ['开始 / Started', when(data.startedAt)],
    ['上次巡检 / Previous', data.previousNumber ?? '—'],
    ['配置项 / Items', data.kpis.items],
    ['已评分 / Scored', data.kpis.scored],
    ['发现 / Findings', data.kpis.findings],
    ...data.kpis.bySeverity.map((b) => [`${b.label.zh} / ${b.label.en}`, b.count] as [string, number]),
  ]);
  addTableSheet(
    wb,
    '系统评分 Systems',
    [
      { header: '系统 / System', key: 'name', width: 12 },
      { header: '名称 / Name', key: 'displayName', width: 28 },
      { header: '本次 / Score', key: 'score', width: 10 },
      { header: '上次 / Previous', key: 'previous', width: 10 },
      { header: '变化 / Change', key: 'delta', width: 10 },
      { header: '最弱关键依赖 / Weakest critical', key: 'weakest', width: 28 },
      { header: '计算 / Rule', key: 'rule', width: 60 },
    ],
    data.systems.map((s) => ({ ...s, worsening: null })),
  );
  addTableSheet(
    wb,
    '配置项评分 Items',
    [
      { header: '配置项 / Item', key: 'name', width: 24 },
      { header: '类型 / Type', key: 'typeLabel', width: 12 },
      { header: '本次 / Score', key: 'score', width: 10 },
      { header: '上次 / Previous', key: 'previous', width: 10 },
      { header: '发现数 / Findings', key: 'findings', width: 10 },
    ],
    [...data.database.items, ...data.others.items].map((i) => ({ name: i.name, typeLabel: i.typeLabel, score: i.score, previous: i.previous, findings: i.findings })),
  );
  const row = (f: ReportFinding) => ({
    severity: `${f.severityLabel.zh} / ${f.severityLabel.en}`,
    item: f.itemName,
    type: f.itemTypeLabel,
    check: `${f.title.zh} / ${f.title.en}`,
    checkId: f.checkId,
    version: f.checkVersion,
    subject: f.subject,
    value: f.value,
    unit: f.unit,
    threshold: f.threshold,
    evidence: f.evidence,
    advice: `${f.advice.zh}\n${f.advice.en}`,
    at: when(f.measuredAt),
  });
  addTableSheet(wb, '全部发现 Findings', XLSX_COLUMNS, [...data.database.findings, ...data.others.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]).map(row));
  addTableSheet(
    wb,
    '主要风险 Top risks',
    [{ header: '排名 / Rank', key: 'rank', width: 8 }, { header: '风险分 / Risk', key: 'riskScore', width: 10 }, ...XLSX_COLUMNS],
    data.risks.map((r) => ({ rank: r.rank, riskScore: r.riskScore, ...row(r) })),
  );
  return workbookToBuffer(wb, data.periodEnd);
}

export interface ReportRenderers {
  html: ReportHtmlRenderer;
  pdf: PdfRenderer;
}

/** Builds, renders and stores a new version of an inspection's report; answers its id. */
export async function renderAndStoreInspectionReport(ds: DataSource, inspectionId: string, renderers: ReportRenderers, utcOffsetMinutes: number): Promise<{ reportId: string }> {
  const data = await buildInspectionReportData(ds, inspectionId, utcOffsetMinutes);
  const html = renderers.html.render('inspection', data);
  const pdf = await renderers.pdf.render(html, { title: data.title, deterministicAt: data.periodEnd, timeoutMs: 120_000 });
  const xlsx = await renderInspectionXlsx(data, utcOffsetMinutes);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const [row] = await ds.query(
    `INSERT INTO inspection_reports (inspection_id, version, title, period_start, period_end, pdf, pdf_sha256, xlsx, xlsx_sha256, renderer, state)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, 'src/adapters/reports (Chromium, ECharts, exceljs)', 'awaiting_signoff' FROM inspection_reports WHERE inspection_id = $1
     RETURNING id`,
    [inspectionId, data.title, data.periodStart === null ? null : new Date(data.periodStart), new Date(data.periodEnd), pdf, sha(pdf), xlsx, sha(xlsx)],
  );
  return { reportId: row.id };
}
