import { Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Modification requests (S5): from a department's request to go-live and acceptance, with the delivery deadline. */
export default function ModificationsPage() {
  const t = useT();
  const mods = useLoad(() => must(api.GET('/modifications')), []);
  type Row = NonNullable<typeof mods.data>[number];
  return (
    <div data-testid="modifications">
      <PageTitle title={t('改造需求', 'Modification requests')} onReload={() => void mods.reload()} loading={mods.loading} />
      <ErrorAlert error={mods.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 800 }}
        loading={mods.loading && !mods.data}
        dataSource={mods.data ?? []}
        columns={[
          { title: t('编号', 'Number'), dataIndex: 'number' },
          { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
          { title: t('科室', 'Department'), dataIndex: 'department' },
          { title: t('状态', 'State'), dataIndex: 'state', render: (v: string) => <Tag>{v}</Tag> },
          { title: t('提交', 'Submitted'), dataIndex: 'submittedAt', render: (v: string) => shortTime(v) },
          { title: t('交付期限', 'Delivery due'), dataIndex: 'deliveryDue', render: (v: string | null, r) => <span style={{ color: r.deliveryBreached ? '#cf1322' : undefined }}>{shortTime(v)}</span> },
          { title: t('上线', 'Live'), dataIndex: 'liveAt', render: (v: string | null) => shortTime(v) },
          { title: t('验收', 'Accepted'), dataIndex: 'acceptedAt', render: (v: string | null) => shortTime(v) },
        ]}
      />
    </div>
  );
}
