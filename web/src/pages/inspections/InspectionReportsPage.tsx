import { Button, Space, Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Inspection reports (P4, S16): the period each covers, the sign-offs, the PDF and the XLSX of every finding. */
export default function InspectionReportsPage() {
  const t = useT();
  const reports = useLoad(() => must(api.GET('/inspection-reports', { params: { query: {} as never } })), []);
  type Row = NonNullable<typeof reports.data>['items'][number];
  return (
    <div data-testid="inspection-reports">
      <PageTitle title={t('巡检报告', 'Inspection reports')} onReload={() => void reports.reload()} loading={reports.loading} />
      <ErrorAlert error={reports.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 800 }}
        loading={reports.loading && !reports.data}
        dataSource={reports.data?.items ?? []}
        columns={[
          { title: t('巡检', 'Inspection'), dataIndex: 'inspectionNumber' },
          { title: t('标题', 'Title'), dataIndex: 'title', ellipsis: true },
          { title: t('期间', 'Period'), key: 'period', render: (_: unknown, r) => `${r.periodStart ?? ''} – ${r.periodEnd}` },
          { title: t('状态', 'State'), dataIndex: 'state', render: (v: string) => (v === 'signed_off' ? <Tag color="green">{t('已签字', 'Signed off')}</Tag> : <Tag color="gold">{t('待签字', 'Awaiting sign-off')}</Tag>) },
          { title: t('签字', 'Sign-offs'), dataIndex: 'signOffs', render: (s: Row['signOffs']) => s.map((x) => `${x.by}（${x.role}）`).join('；') || '—' },
          { title: t('生成', 'Created'), dataIndex: 'createdAt', render: (v: string) => shortTime(v) },
          {
            title: t('下载', 'Download'),
            key: 'dl',
            render: (_: unknown, r) => (
              <Space>
                <Button size="small" href={r.pdf.href} target="_blank">PDF</Button>
                <Button size="small" href={r.xlsx.href}>XLSX</Button>
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
