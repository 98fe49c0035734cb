import { ApplicationFailure } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import type { NotificationChannel } from '../adapters/notify/channel';
import { isMobilePhone } from '../adapters/notify/validate';
import { SURVEY_LINK_TTL_DAYS } from '../domain/surveys/survey';
import { setInvitation, surveyForInvitation, surveyToken } from '../persistence/surveys/survey-store';

export interface SurveyActivityDeps {
  dataSource: DataSource;
  /** The SMS gateway, when one is configured (WARDLINE_SMS_URL). */
  sms?: NotificationChannel;
  publicUrl: string;
}

/** S8: the survey's link to the reporter's mobile by SMS; without a gateway or a mobile number, the desk passes it on. */
export function createSurveyActivities(deps: SurveyActivityDeps) {
  const ds = deps.dataSource;
  return {
    async sendSurveyInvitation(input: { surveyId: string }): Promise<void> {
      const s = await surveyForInvitation(ds, input.surveyId);
      if (!s || s.invitationStatus === 'sent' || s.invitationStatus === 'no_channel') return;
      if (!deps.sms) return void (await setInvitation(ds, s.id, 'no_channel', '未配置短信网关，请调度台转交链接 / no SMS gateway configured'));
      if (!isMobilePhone(s.reporterPhone)) return void (await setInvitation(ds, s.id, 'no_channel', '报障人电话不是手机号，请调度台转交链接 / the reporter has no mobile number'));
      const link = `${deps.publicUrl.replace(/\/$/, '')}/survey/${await surveyToken(ds, s.id, s.expiresAt)}`;
      const result = await deps.sms.send({
        title: '服务满意度调查',
        body: `${s.reporterName}您好，您报告的故障 ${s.incidentNumber}（${s.incidentTitle}）已处理完毕，请为本次服务打分：${link} （${SURVEY_LINK_TTL_DAYS} 天内有效，仅可提交一次）`,
        idempotencyKey: `survey:${s.id}:sms`,
        recipient: { phone: s.reporterPhone!, name: s.reporterName },
      });
      if (result.ok) return void (await setInvitation(ds, s.id, 'sent', result.providerMessageId ?? result.providerResponse));
      if (result.retryable) throw ApplicationFailure.retryable(`SMS gateway: ${result.error ?? result.providerResponse}`, 'SMS_RETRYABLE');
      await setInvitation(ds, s.id, 'failed', result.error ?? result.providerResponse);
    },

    async recordSurveyInvitationFailure(input: { surveyId: string; reason: string }): Promise<void> {
      await setInvitation(ds, input.surveyId, 'failed', input.reason.slice(0, 500));
    },
  };
}
