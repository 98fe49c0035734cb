import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SCORE_ZH, SURVEY_SCORES, SurveyScore } from '../../domain/surveys/survey';
import { formatInZone } from '../../domain/time';
import { SurveyRow, answerSurvey, surveyAnswers, surveyByLink, surveyOfIncident, surveySummary, surveyToken } from '../../persistence/surveys/survey-store';
import { holdsAny } from '../../domain/roles';
import { Principal } from '../auth/principal';
import { gone, notFound, notFoundRef } from '../common/errors';
import { isUuid } from '../common/refs';
import { CLOCK, CONFIG, Clock, WardlineConfig } from '../common/tokens';
import { periodOf, vendorScope } from '../downtime/downtime.service';
import { CalendarService } from '../sla/calendar.service';
import { SurveyAnswerDto, SurveyPeriodQuery } from './surveys.dto';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** S8: satisfaction surveys: the reporter's one-time link, and results for the service's people. */
@Injectable()
export class SurveysService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async claim(token: string): Promise<SurveyRow> {
    const found = await surveyByLink(this.ds, token, this.clock.now());
    if (found.ok) return found.survey;
    if (found.reason === 'used') throw gone('LINK_USED', '此调查已提交，感谢您的评价', 'this survey was already answered');
    if (found.reason === 'expired') throw gone('LINK_EXPIRED', '此调查链接已过期', 'this survey link has expired');
    throw notFound('LINK_INVALID', '链接无效', 'this link is not valid');
  }

  async page(token: string): Promise<string> {
    const s = await this.claim(token);
    const options = [...SURVEY_SCORES]
      .reverse()
      .map((n) => `<label style="display:block;margin:.4em 0"><input type="radio" name="score" value="${n}" required> ${n} 分 · ${SCORE_ZH[n as SurveyScore]}</label>`)
      .join('');
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>服务满意度调查 ${escape(s.incidentNumber)}</title></head><body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em">
<h1>服务满意度调查</h1>
<p>${escape(s.reporterDepartment)} ${escape(s.reporterName)}，您好：</p>
<p>您报告的故障 <b>${escape(s.incidentNumber)}</b>（${escape(s.systemName)}）：${escape(s.incidentTitle)} 已处理完毕${s.engineerName ? `，处理工程师：${escape(s.engineerName)}` : ''}。请为本次服务打分：</p>
<form method="post">${options}
<label>意见与建议（选填）<br><textarea name="comment" rows="4" style="width:100%"></textarea></label><br><br>
<button type="submit">提交 / Submit</button></form>
<p style="color:#666">此链接仅可提交一次。This link works once.</p></body></html>`;
  }

  async answer(token: string, dto: SurveyAnswerDto) {
    const s = await this.claim(token);
    const comment = dto.comment?.trim() ? dto.comment.trim() : null;
    if (!(await answerSurvey(this.ds, s.id, { score: dto.score, comment, at: new Date(this.clock.now()) }))) {
      throw gone('LINK_USED', '此调查已提交，感谢您的评价', 'this survey was already answered');
    }
    return { incident: s.incidentNumber, score: dto.score, message: '感谢您的评价！ / Thank you for your feedback.' };
  }

  thanksPage(answered: { incident: string; score: number }): string {
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>感谢您的评价</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em"><h1>感谢您的评价！</h1>
<p>工单 ${escape(answered.incident)}：${answered.score} 分。Thank you for your feedback.</p></body></html>`;
  }

  async summary(auth: Principal, q: SurveyPeriodQuery) {
    const range = periodOf(q);
    const systemIds = await vendorScope(this.ds, auth);
    const offset = await this.offset();
    const s = await surveySummary(this.ds, range, { utcOffsetMinutes: offset, ...(systemIds ? { systemIds } : {}) });
    return { from: formatInZone(range.from.getTime(), offset), to: formatInZone(range.to.getTime(), offset), ...s };
  }

  async answers(auth: Principal, q: SurveyPeriodQuery) {
    const range = periodOf(q);
    const systemIds = await vendorScope(this.ds, auth);
    const offset = await this.offset();
    const rows = await surveyAnswers(this.ds, range, systemIds ? { systemIds } : {});
    return rows.map((r) => ({
      incident: r.incidentNumber,
      title: r.incidentTitle,
      system: r.systemCode,
      engineer: r.engineerName,
      // A vendor's contact sees what was said, not who said it.
      reporter: systemIds ? r.reporterDepartment : `${r.reporterDepartment} ${r.reporterName}`,
      score: r.score!,
      comment: r.comment,
      answeredAt: formatInZone(r.answeredAt!.getTime(), offset),
    }));
  }

  async ofIncident(auth: Principal, ref: string) {
    const [inc] = await this.ds.query(`SELECT id, number FROM incidents WHERE ${isUuid(ref) ? 'id = $1::uuid' : 'number = upper($1)'}`, [ref]);
    if (!inc) throw notFoundRef('incident', ref);
    const s = await surveyOfIncident(this.ds, inc.id);
    const offset = await this.offset();
    const t = (d: Date | null | undefined) => (d ? formatInZone(d.getTime(), offset) : null);
    if (!s) return { incident: inc.number, state: 'none', sentAt: null, expiresAt: null, score: null, comment: null, answeredAt: null, invitation: null, link: null };
    const state = s.answeredAt ? 'answered' : this.clock.now() >= s.expiresAt.getTime() ? 'expired' : 'open';
    // The link is a credential: the hospital's desk, who passes it to the reporter, sees it while it can be used.
    const showLink = state === 'open' && holdsAny(auth.roles, ['dispatcher', 'it_manager']);
    const link = showLink ? `${this.config.publicUrl.replace(/\/$/, '')}/survey/${await surveyToken(this.ds, s.id, s.expiresAt)}` : null;
    const invitation = { status: s.invitation.status, at: t(s.invitation.at), detail: s.invitation.detail };
    return { incident: inc.number, state, sentAt: t(s.sentAt), expiresAt: t(s.expiresAt), score: s.score, comment: s.comment, answeredAt: t(s.answeredAt), invitation, link };
  }
}
