import { Descriptions, Drawer, Progress, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime, shortTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Job runs (P5): progress counts and each host's result, refreshed while runs are going. */
export default function JobRunsPage() {
  const t = useT();
  const runs = useLoad(() => must(api.GET('/jobs/runs', { params: { query: { limit: 100 } as never } })), [], 15_000);
  const [open, setOpen] = useState<string | null>(null);
  const run = useLoad(async () => (open ? must(api.GET('/jobs/runs/{id}', { params: { path: { id: open } } })) : null), [open], 10_000);
  type Row = NonNullable<typeof runs.data>['items'][number];
  const r = run.data;
  return (
    <div data-testid="job-runs">
      <PageTitle title={t('作业执行记录', 'Job runs')} onReload={() => void runs.reload()} loading={runs.loading} />
      <ErrorAlert error={runs.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 700 }}
        loading={runs.loading && !runs.data}
        dataSource={runs.data?.items ?? []}
        onRow={(x) => ({ onClick: () => setOpen(x.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('编号', 'Number'), dataIndex: 'number' },
          { title: t('类型', 'Kind'), dataIndex: 'kind' },
          { title: t('状态', 'State'), dataIndex: 'state', render: (v: string) => <Tag color={v === 'succeeded' ? 'green' : v === 'failed' ? 'red' : 'blue'}>{v}</Tag> },
          { title: t('发起人', 'Requested by'), dataIndex: 'requestedBy' },
          { title: t('开始', 'Created'), dataIndex: 'createdAt', render: (v: string) => shortTime(v) },
          { title: t('结束', 'Finished'), dataIndex: 'finishedAt', render: (v: string | null) => shortTime(v) },
        ]}
      />
      <Drawer open={!!open} onClose={() => setOpen(null)} size="large" title={r ? `${r.number}` : ''}>
        {r ? (
          <>
            <Progress percent={Math.round(((r.counts.succeeded + r.counts.failed + r.counts.skipped) / Math.max(1, r.counts.total)) * 100)} success={{ percent: Math.round((r.counts.succeeded / Math.max(1, r.counts.total)) * 100) }} />
            <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
              <Descriptions.Item label={t('状态', 'State')}>{r.state}</Descriptions.Item>
              <Descriptions.Item label={t('模板', 'Template')}>{r.template ? `${r.template.name} v${r.template.version}` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('变更', 'Change')}>{r.change?.number ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('只读', 'Read-only')}>{r.readOnly ? '✓' : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('成功 / 失败 / 跳过', 'Succeeded / failed / skipped')}>
                {r.counts.succeeded} / {r.counts.failed} / {r.counts.skipped}（{t('共', 'of')} {r.counts.total}）
              </Descriptions.Item>
              <Descriptions.Item label={t('开始', 'Created')}>{dateTime(r.createdAt)}</Descriptions.Item>
            </Descriptions>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              scroll={{ x: 600 }}
              dataSource={r.hosts}
              columns={[
                { title: t('批次', 'Batch'), dataIndex: 'batch' },
                { title: t('主机', 'Host'), dataIndex: 'name' },
                { title: t('地址', 'Address'), dataIndex: 'address' },
                { title: t('结果', 'Status'), dataIndex: 'status', render: (v: string) => <Tag color={v === 'succeeded' ? 'green' : v === 'failed' ? 'red' : undefined}>{v}</Tag> },
              ]}
            />
          </>
        ) : null}
      </Drawer>
    </div>
  );
}
