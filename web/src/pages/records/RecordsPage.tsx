import { Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Maintenance records (S14): every finished piece of work, awaiting or holding both sides' confirmation. */
export default function RecordsPage() {
  const t = useT();
  const [state, setState] = useState<string | undefined>();
  const records = useLoad(() => must(api.GET('/records', { params: { query: { pageSize: 100, ...(state ? { state } : {}) } as never } })), [state]);
  type Row = NonNullable<typeof records.data>['items'][number];
  return (
    <div data-testid="records">
      <PageTitle
        title={t('维护记录', 'Maintenance records')}
        onReload={() => void records.reload()}
        loading={records.loading}
        extra={<Select allowClear placeholder={t('状态', 'State')} style={{ width: 140 }} value={state} onChange={setState} options={[['pending', '待确认', 'Pending'], ['confirmed', '已确认', 'Confirmed'], ['disputed', '有异议', 'Disputed']].map(([v, zh, en]) => ({ value: v, label: t(zh, en) }))} />}
      />
      <ErrorAlert error={records.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 900 }}
        loading={records.loading && !records.data}
        dataSource={records.data?.items ?? []}
        columns={[
          { title: t('编号', 'Number'), dataIndex: 'number' },
          { title: t('类型', 'Type'), dataIndex: 'typeLabel' },
          { title: t('来源', 'Source'), key: 'source', render: (_: unknown, r) => (r.source.kind === 'incident' ? <Link to={`/incidents/${r.source.id}`}>{r.source.number}</Link> : r.source.number) },
          { title: t('业务系统', 'System'), key: 'system', render: (_: unknown, r) => r.system.name },
          { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
          { title: t('状态', 'State'), dataIndex: 'stateLabel', render: (v: string, r) => <Tag color={r.state === 'confirmed' ? 'green' : r.state === 'disputed' ? 'red' : 'gold'}>{v}</Tag> },
          { title: t('院方', 'Hospital'), key: 'h', render: (_: unknown, r) => (r.hospital ? `${r.hospital.by.name} ${shortTime(r.hospital.at)}` : '—') },
          { title: t('运维方', 'Vendor'), key: 'v', render: (_: unknown, r) => (r.vendor ? `${r.vendor.by.name} ${shortTime(r.vendor.at)}` : '—') },
          { title: t('超时', 'SLA'), dataIndex: 'slaBreached', render: (v: boolean) => (v ? <Tag color="red">{t('超时', 'breached')}</Tag> : '') },
        ]}
      />
    </div>
  );
}
