import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { IncidentView, TimelineEvent } from '../../domain/incident-process';
import { SURVEY_LINK_PURPOSE, SURVEY_LINK_TTL_DAYS, SurveyAnswer, SurveySummary, summarize } from '../../domain/surveys/survey';
import { DAY_MS, formatInZone } from '../../domain/time';
import { hashLinkToken, readPurposeLink, signPurposeLink } from '../../infra/ack-links';
import { enqueue } from '../../intake/outbox';
import { SURVEY_INVITATION_WORKFLOW_TYPE, surveyInvitationWorkflowId } from '../../shared/survey-messages';

type Db = DataSource | EntityManager;

/** The app_secrets row whose value signs survey links. */
export const SURVEY_LINK_SECRET = 'survey-link';
/** The contract's zone (Asia/Shanghai) unless a caller says otherwise. */
const CONTRACT_OFFSET_MINUTES = 480;

async function secret(db: Db): Promise<string> {
  await db.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [SURVEY_LINK_SECRET, randomBytes(32).toString('base64url')]);
  const [row] = await db.query(`SELECT value FROM app_secrets WHERE name = $1`, [SURVEY_LINK_SECRET]);
  return row.value;
}

/** The link's token: the same for a survey every time (only its hash is stored), so the desk can send it again. */
export async function surveyToken(db: Db, surveyId: string, expiresAt: Date): Promise<string> {
  return signPurposeLink(SURVEY_LINK_PURPOSE, [surveyId, expiresAt.getTime()], await secret(db));
}

/**
 * Called by the incident projection once per newly stored event, in its transaction (S8): the hospital's
 * confirmation creates the incident's survey, once, and tells the dispatch desk to pass the link to the reporter.
 */
export async function onIncidentEventSurvey(tx: EntityManager, v: IncidentView, e: TimelineEvent): Promise<void> {
  if (e.type !== 'confirm') return;
  const id = randomUUID();
  const expiresAt = new Date(e.at + SURVEY_LINK_TTL_DAYS * DAY_MS);
  const token = await surveyToken(tx, id, expiresAt);
  const engineer = v.resolution?.resolvedBy ?? v.assignee ?? null;
  const created: unknown[] = await tx.query(
    `INSERT INTO satisfaction_surveys (id, incident_id, system_id, engineer_id, engineer_name, reporter_name, reporter_department, reporter_phone, token_hash, sent_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (incident_id) DO NOTHING RETURNING id`,
    [id, v.incidentId, v.systemId, engineer?.id ?? null, engineer?.name ?? null, v.reporter.name, v.reporter.department, v.reporter.phone, hashLinkToken(token), new Date(e.at), expiresAt],
  );
  if (created.length === 0) return;
  // The link goes to the reporter by SMS through its own small workflow, started once the confirmation commits.
  await enqueue(tx, { operation: 'start', workflowId: surveyInvitationWorkflowId(id), start: { workflowType: SURVEY_INVITATION_WORKFLOW_TYPE, args: [{ surveyId: id }] } });
  const phone = v.reporter.phone ? `（${v.reporter.phone}）` : '';
  await tx.query(
    `INSERT INTO notifications (idempotency_key, incident_id, event, recipient_id, recipient_role, channel, locale, title, body)
     VALUES ($1, $2, 'survey_created', NULL, 'dispatcher', 'in_app', 'zh-CN', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      `survey:${v.incidentId}`,
      v.incidentId,
      `满意度调查：${v.number}`,
      // The link itself is a credential: it stays out of notifications; the desk reads it on the incident's survey.
      `工单 ${v.number}（${v.title}）已确认，满意度调查已生成。报障人 ${v.reporter.department} ${v.reporter.name}${phone} 有手机号且配置了短信网关时由短信发送；` +
        `否则请在工单的满意度调查处取一次性链接转交（${SURVEY_LINK_TTL_DAYS} 天内有效，仅可提交一次）。`,
    ],
  );
}

export interface SurveyRow {
  id: string;
  incidentId: string;
  incidentNumber: string;
  incidentTitle: string;
  systemId: string;
  systemCode: string;
  systemName: string;
  engineerId: string | null;
  engineerName: string | null;
  reporterName: string;
  reporterDepartment: string;
  sentAt: Date;
  expiresAt: Date;
  score: number | null;
  comment: string | null;
  answeredAt: Date | null;
  invitation: { status: string; at: Date | null; detail: string | null };
}

const SELECT = `SELECT v.*, i.number AS incident_number, i.title AS incident_title, s.code AS system_code, s.display_name AS system_name
  FROM satisfaction_surveys v JOIN incidents i ON i.id = v.incident_id JOIN business_systems s ON s.id = v.system_id`;

function mapRow(r: Record<string, any>): SurveyRow {
  return {
    id: r.id,
    incidentId: r.incident_id,
    incidentNumber: r.incident_number,
    incidentTitle: r.incident_title,
    systemId: r.system_id,
    systemCode: r.system_code,
    systemName: r.system_name,
    engineerId: r.engineer_id,
    engineerName: r.engineer_name,
    reporterName: r.reporter_name,
    reporterDepartment: r.reporter_department,
    sentAt: new Date(r.sent_at),
    expiresAt: new Date(r.expires_at),
    score: r.score,
    comment: r.comment,
    answeredAt: r.answered_at ? new Date(r.answered_at) : null,
    invitation: { status: r.invitation_status, at: r.invitation_at ? new Date(r.invitation_at) : null, detail: r.invitation_detail },
  };
}

export type InvitationStatus = 'pending' | 'sent' | 'failed' | 'no_channel';

/** What the invitation activity needs: the reporter's phone and the link's parts. */
export async function surveyForInvitation(db: Db, surveyId: string) {
  const [r] = await db.query(`${SELECT} WHERE v.id = $1`, [surveyId]);
  return r ? { ...mapRow(r), reporterPhone: r.reporter_phone as string | null, invitationStatus: r.invitation_status as InvitationStatus } : null;
}

/** Records how the invitation went; a sent one stays sent. */
export async function setInvitation(db: Db, surveyId: string, status: InvitationStatus, detail: string | null): Promise<void> {
  await db.query(
    `UPDATE satisfaction_surveys SET invitation_status = $2, invitation_detail = $3, invitation_at = now() WHERE id = $1 AND invitation_status <> 'sent'`,
    [surveyId, status, detail],
  );
}

export async function surveyOfIncident(db: Db, incidentId: string): Promise<SurveyRow | null> {
  const [row] = await db.query(`${SELECT} WHERE v.incident_id = $1`, [incidentId]);
  return row ? mapRow(row) : null;
}

export type SurveyLinkResult = { ok: true; survey: SurveyRow } | { ok: false; reason: 'invalid' | 'expired' | 'used' };

/** The survey a link stands for, if the link is genuine, unexpired and unused. */
export async function surveyByLink(db: Db, token: string, now: number): Promise<SurveyLinkResult> {
  const check = readPurposeLink(SURVEY_LINK_PURPOSE, token, await secret(db));
  if (!check.ok || check.fields.length !== 2 || typeof check.fields[0] !== 'string' || typeof check.fields[1] !== 'number') return { ok: false, reason: 'invalid' };
  const [row] = await db.query(`${SELECT} WHERE v.token_hash = $1`, [hashLinkToken(token)]);
  if (!row) return { ok: false, reason: 'invalid' };
  const survey = mapRow(row);
  if (survey.answeredAt) return { ok: false, reason: 'used' };
  // The expiry signed into the link and the one on record agree; either passing ends the link.
  if (now >= Math.min(check.fields[1], survey.expiresAt.getTime())) return { ok: false, reason: 'expired' };
  return { ok: true, survey };
}

/** Records the answer once: a second answer (a double click, a replay) finds the survey answered and changes nothing. */
export async function answerSurvey(db: Db, surveyId: string, answer: { score: number; comment: string | null; at: Date }): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `UPDATE satisfaction_surveys SET score = $2, comment = $3, answered_at = $4 WHERE id = $1 AND answered_at IS NULL RETURNING id`,
    [surveyId, answer.score, answer.comment, answer.at],
  );
  return rows.length > 0;
}

/**
 * S8: satisfaction in [from, to): answers given in the period (their score, per month in the contract's zone, per
 * engineer and per business system) and the surveys sent in it. `systemIds` limits it (a vendor sees its own).
 */
export async function surveySummary(
  ds: DataSource,
  range: { from: Date; to: Date },
  options: { utcOffsetMinutes?: number; systemIds?: readonly string[] } = {},
): Promise<SurveySummary> {
  const offset = options.utcOffsetMinutes ?? CONTRACT_OFFSET_MINUTES;
  const scope = options.systemIds ? 'AND v.system_id = ANY($3)' : '';
  const params: unknown[] = [range.from, range.to, ...(options.systemIds ? [options.systemIds] : [])];
  const rows: Record<string, any>[] = await ds.query(`${SELECT} WHERE v.answered_at >= $1 AND v.answered_at < $2 ${scope} ORDER BY v.answered_at, v.id`, params);
  const [{ sent }] = await ds.query(`SELECT count(*)::int AS sent FROM satisfaction_surveys v WHERE v.sent_at >= $1 AND v.sent_at < $2 ${scope}`, params);
  const answers: SurveyAnswer[] = rows.map((r) => ({
    score: r.score,
    engineerId: r.engineer_id,
    engineerName: r.engineer_name,
    systemId: r.system_id,
    systemCode: r.system_code,
    systemName: r.system_name,
    month: formatInZone(new Date(r.answered_at).getTime(), offset).slice(0, 7),
  }));
  return summarize(answers, sent);
}

/** The answers of a period with their comments, newest first (for the report's quotes and the desk's follow-up). */
export async function surveyAnswers(ds: DataSource, range: { from: Date; to: Date }, options: { systemIds?: readonly string[]; limit?: number } = {}): Promise<SurveyRow[]> {
  const scope = options.systemIds ? 'AND v.system_id = ANY($4)' : '';
  const rows = await ds.query(`${SELECT} WHERE v.answered_at >= $1 AND v.answered_at < $2 ${scope} ORDER BY v.answered_at DESC, v.id LIMIT $3`, [
    range.from,
    range.to,
    options.limit ?? 200,
    ...(options.systemIds ? [options.systemIds] : []),
  ]);
  return rows.map(mapRow);
}
