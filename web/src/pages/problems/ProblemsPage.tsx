import { Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Problems (S1): recurring faults proposed by the rules or raised by hand, their root cause and workaround. */
export default function ProblemsPage() {
  const t = useT();
  const problems = useLoad(() => must(api.GET('/problems', { params: { query: { pageSize: 100 } as never } })), []);
  type Row = NonNullable<typeof problems.data>['items'][number];
  return (
    <div data-testid="problems">
      <PageTitle title={t('问题管理', 'Problems')} onReload={() => void problems.reload()} loading={problems.loading} />
      <ErrorAlert error={problems.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 800 }}
        loading={problems.loading && !problems.data}
        dataSource={problems.data?.items ?? []}
        columns={[
          { title: t('编号', 'Number'), dataIndex: 'number' },
          { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
          { title: t('业务系统', 'System'), key: 'system', render: (_: unknown, r) => r.system.name },
          { title: t('状态', 'State'), dataIndex: 'stateLabel', render: (v: string) => <Tag>{v}</Tag> },
          { title: t('根本原因', 'Root cause'), dataIndex: 'rootCause', ellipsis: true },
          { title: t('临时措施', 'Workaround'), dataIndex: 'workaround', ellipsis: true },
        ]}
      />
    </div>
  );
}
