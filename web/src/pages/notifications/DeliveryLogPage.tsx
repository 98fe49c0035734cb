import { Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** The delivery log (S12): every message to every channel, its attempts, the provider's answer and errors. */
export default function DeliveryLogPage() {
  const t = useT();
  const [status, setStatus] = useState<string | undefined>();
  const log = useLoad(() => must(api.GET('/notifications', { params: { query: { pageSize: 100, ...(status ? { status } : {}) } as never } })), [status], 30_000);
  type Row = NonNullable<typeof log.data>['items'][number];
  return (
    <div data-testid="delivery-log">
      <PageTitle
        title={t('通知投递记录', 'Notification delivery log')}
        onReload={() => void log.reload()}
        loading={log.loading}
        extra={<Select allowClear placeholder={t('状态', 'Status')} style={{ width: 140 }} value={status} onChange={setStatus} options={['pending', 'sent', 'failed', 'suppressed'].map((s) => ({ value: s, label: s }))} />}
      />
      <ErrorAlert error={log.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 1000 }}
        loading={log.loading && !log.data}
        dataSource={log.data?.items ?? []}
        columns={[
          { title: t('时间', 'Created'), dataIndex: 'createdAt', render: (v: string) => shortTime(v) },
          { title: t('工单', 'Incident'), dataIndex: 'incidentNumber' },
          { title: t('事件', 'Event'), dataIndex: 'event' },
          { title: t('渠道', 'Channel'), dataIndex: 'channel' },
          { title: t('接收人', 'Recipient'), dataIndex: 'recipient' },
          { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string) => <Tag color={v === 'sent' ? 'green' : v === 'failed' ? 'red' : undefined}>{v}</Tag> },
          { title: t('次数', 'Attempts'), dataIndex: 'attempts' },
          { title: t('错误', 'Error'), dataIndex: 'lastError', ellipsis: true },
          { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
        ]}
      />
    </div>
  );
}
