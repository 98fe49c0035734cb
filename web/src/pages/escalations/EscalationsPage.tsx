import { App, Button, Card, DatePicker, Empty, Form, Input, Modal, Space, Tag, Timeline, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { beijingIso, dateTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { ESCALATION_STATES, label } from '../../app/labels';
import { ErrorAlert } from '../../components/ErrorAlert';

const PROGRESS: Record<string, [string, string]> = { arrived: ['已到场', 'Arrived on site'], remote_session: ['远程处理中', 'Remote session'], resolved: ['已解决', 'Resolved'] };

/**
 * An original vendor's contact (S7): the escalations that call their own vendor only (`GET /me/escalations`; another
 * vendor's are never listed, and answer 404), with the incident they are about, acknowledgement with a promised
 * arrival time, and progress (arrived, remote session, resolved). Built for a phone first.
 */
export default function EscalationsPage() {
  const t = useT();
  const lang = useLang();
  const { message } = App.useApp();
  const list = useLoad(() => must(api.GET('/me/escalations')), [], 30_000);
  const [acking, setAcking] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<{ promised?: Dayjs; note?: string }>();

  const acknowledge = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await must(
        api.POST('/escalations/{id}/acknowledge', {
          params: { path: { id: acking! } },
          body: { ...(v.promised ? { promisedOnSiteAt: beijingIso(v.promised.format('YYYY-MM-DDTHH:mm')) } : {}), ...(v.note ? { note: v.note } : {}) },
        }),
      );
      message.success(t('已确认响应', 'Acknowledged'));
      setAcking(null);
      form.resetFields();
      await list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const progress = async (id: string, kind: 'arrived' | 'remote_session' | 'resolved') => {
    try {
      await must(api.POST('/escalations/{id}/progress', { params: { path: { id } }, body: { kind } }));
      message.success(label(PROGRESS, kind, lang));
      await list.reload();
    } catch (err) {
      message.error(errorText(lang, err));
    }
  };

  const rows = list.data ?? [];
  return (
    <div data-testid="escalations">
      <Typography.Title level={4}>{t('原厂技术支援请求', 'Escalations to your company')}</Typography.Title>
      <ErrorAlert error={list.error} />
      {rows.length === 0 && !list.loading ? <Empty description={t('暂无升级请求', 'Nothing escalated to you')} /> : null}
      {rows.map((e) => {
        const ended = !!e.endedAt || e.status === 'resolved' || e.status === 'exhausted';
        return (
          <Card
            key={e.id}
            size="small"
            style={{ marginBottom: 12 }}
            data-testid={`escalation-${e.incident.number}`}
            data-status={e.status}
            title={
              <Space wrap>
                <span>{e.incident.number}</span>
                <Tag color={e.status === 'awaiting_ack' ? 'orange' : ended ? 'default' : 'green'} data-testid="escalation-status">
                  {label(ESCALATION_STATES, e.status, lang)}
                </Tag>
                <Tag>{t(`第 ${e.level} 级`, `Level ${e.level}`)}</Tag>
              </Space>
            }
          >
            <div>
              <strong>{e.incident.systemName}</strong>：{e.incident.title}
            </div>
            <div style={{ color: '#666', margin: '4px 0' }}>{lang === 'en' ? e.reasonEn : e.reason}</div>
            <div style={{ fontSize: 12, color: '#888' }}>
              {t('发起', 'Started')} {dateTime(e.startedAt)}
              {e.acknowledgedAt ? ` · ${t('已响应', 'acknowledged')} ${dateTime(e.acknowledgedAt)} ${e.acknowledgedBy ?? ''}` : ''}
              {e.promisedOnSiteAt ? ` · ${t('承诺到场', 'promised on site')} ${dateTime(e.promisedOnSiteAt)}` : ''}
            </div>
            {!ended ? (
              <Space wrap style={{ marginTop: 8 }}>
                {e.status === 'awaiting_ack' ? (
                  <Button type="primary" size="large" onClick={() => setAcking(e.id)} data-testid="escalation-acknowledge">
                    {t('确认响应', 'Acknowledge')}
                  </Button>
                ) : (
                  (['arrived', 'remote_session', 'resolved'] as const)
                    .filter((k) => !(k === 'arrived' && e.arrivedAt))
                    .map((k) => (
                      <Button key={k} onClick={() => void progress(e.id, k)} data-testid={`escalation-${k}`}>
                        {label(PROGRESS, k, lang)}
                      </Button>
                    ))
                )}
              </Space>
            ) : null}
            {e.history.length ? (
              <Timeline
                style={{ marginTop: 12, marginBottom: -16 }}
                items={e.history.map((h, i) => ({ key: i, content: <span style={{ fontSize: 12 }}>{dateTime(h.at)} {lang === 'en' ? h.textEn : h.text}{h.note ? `：${h.note}` : ''}</span> }))}
              />
            ) : null}
          </Card>
        );
      })}
      <Modal open={!!acking} title={t('确认响应', 'Acknowledge')} onCancel={() => setAcking(null)} onOk={() => void acknowledge()} confirmLoading={busy} okButtonProps={{ 'data-testid': 'escalation-ack-ok' } as never} okText={t('确认', 'Acknowledge')} cancelText={t('取消', 'Cancel')}>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical">
          <Form.Item name="promised" label={t('预计到场时间（北京时间）', 'Expected on site (Beijing time)')}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="note" label={t('说明', 'Note')}>
            <Input.TextArea rows={2} data-testid="escalation-note" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
