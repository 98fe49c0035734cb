import { App, Button, Card, Descriptions, Empty, Space, Tag } from 'antd';
import { useState } from 'react';
import { api, must } from '../../api/client';
import type { paths } from '../../api/schema.gen';
import { dateTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { ActionDialog } from './ActionDialog';

type MaintenanceRecord = paths['/records/{ref}']['get']['responses']['200']['content']['application/json'];

const PARTY: Record<string, [string, string]> = { hospital: ['院方', 'hospital'], vendor: ['运维方', 'vendor'] };

/**
 * The maintenance record of the work (S14): what was wrong, done and found, and the two signatures (the hospital's and
 * the vendor's project or quality manager) that make it acceptance evidence. The buttons are the record's own
 * `allowedActions` for this person (`confirm:hospital`, `dispute:vendor`, …).
 */
export function RecordCard({ record, onChanged }: { record: Omit<MaintenanceRecord, 'entries' | 'timeline'> | null; onChanged(): void }) {
  const t = useT();
  const lang = useLang();
  const { message } = App.useApp();
  const [dispute, setDispute] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const p = (party: string) => PARTY[party]?.[lang === 'en' ? 1 : 0] ?? party;

  if (!record) {
    return (
      <Card size="small" title={t('维护记录', 'Maintenance record')} style={{ marginTop: 12 }} data-testid="record">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('修复后生成维护记录', 'Written when the work is resolved')} />
      </Card>
    );
  }
  const confirm = async (party: string) => {
    setBusy(true);
    try {
      await must(api.POST('/records/{ref}/confirm', { params: { path: { ref: record.number } }, body: { party: party as 'hospital' | 'vendor' } }));
      message.success(t('已确认维护记录', 'Record confirmed'));
      onChanged();
    } catch (err) {
      message.error(errorText(lang, err));
    } finally {
      setBusy(false);
    }
  };
  const sig = (s: MaintenanceRecord['hospital']) => (s ? `${s.by.name} · ${dateTime(s.at)}` : t('待确认', 'awaiting'));
  return (
    <Card size="small" title={`${t('维护记录', 'Maintenance record')} ${record.number}`} style={{ marginTop: 12 }} extra={<Tag color={record.state === 'confirmed' ? 'green' : record.state === 'disputed' ? 'red' : 'gold'}>{lang === 'en' ? record.state : record.stateLabel}</Tag>} data-testid="record">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('问题', 'Problem')}>{record.content.problem}</Descriptions.Item>
        <Descriptions.Item label={t('原因', 'Cause')}>{record.content.cause}</Descriptions.Item>
        <Descriptions.Item label={t('处理', 'Done')}>{record.content.process}</Descriptions.Item>
        <Descriptions.Item label={t('结果', 'Result')}>{record.content.result}</Descriptions.Item>
        <Descriptions.Item label={t('院方确认', 'Hospital')}>
          <span data-testid="record-hospital">{sig(record.hospital)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('运维方确认', 'Vendor')}>
          <span data-testid="record-vendor">{sig(record.vendor)}</span>
        </Descriptions.Item>
        {record.dispute ? <Descriptions.Item label={t('异议', 'Dispute')}>{record.dispute.reason}</Descriptions.Item> : null}
      </Descriptions>
      <Space wrap>
        {record.allowedActions.map((a) => {
          const [kind, party = ''] = a.split(':');
          if (kind === 'confirm')
            return (
              <Button key={a} type="primary" loading={busy} onClick={() => void confirm(party)} data-testid={`record-confirm-${party}`}>
                {t(`确认（${p(party)}）`, `Confirm (${p(party)})`)}
              </Button>
            );
          if (kind === 'dispute')
            return (
              <Button key={a} danger onClick={() => setDispute(party)} data-testid={`record-dispute-${party}`}>
                {t(`提出异议（${p(party)}）`, `Dispute (${p(party)})`)}
              </Button>
            );
          return null;
        })}
      </Space>
      {dispute ? (
        <ActionDialog
          testId="dialog-dispute"
          title={t('对维护记录提出异议', 'Dispute the record')}
          fields={[{ name: 'reason', kind: 'text', label: ['异议原因', 'What is wrong'], required: true, rows: 3 }]}
          onClose={() => setDispute(null)}
          onSubmit={async (v) => {
            await must(api.POST('/records/{ref}/dispute', { params: { path: { ref: record.number } }, body: { party: dispute as 'hospital' | 'vendor', reason: v.reason } }));
            onChanged();
          }}
        />
      ) : null}
    </Card>
  );
}
