import { Card, Grid, List, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { useLang, useT } from '../../app/i18n';
import { CHANGE_KINDS, CHANGE_STATES, RISKS, RISK_COLORS, label } from '../../app/labels';
import { ErrorAlert } from '../../components/ErrorAlert';

/** Schema changes awaiting or past review (S4): a reviewer starts here. */
export default function ChangesPage() {
  const t = useT();
  const lang = useLang();
  const screens = Grid.useBreakpoint();
  const [state, setState] = useState<string | undefined>('in_review');
  const changes = useLoad(() => must(api.GET('/changes', { params: { query: state ? ({ state } as never) : {} } })), [state], 30_000);
  type Row = NonNullable<typeof changes.data>[number];
  const rows = changes.data ?? [];
  return (
    <div data-testid="changes">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('数据库变更', 'Schema changes')}
        </Typography.Title>
        <Select allowClear placeholder={t('全部状态', 'All states')} style={{ width: 160 }} value={state} onChange={setState} options={Object.keys(CHANGE_STATES).map((s) => ({ value: s, label: label(CHANGE_STATES, s, lang) }))} />
      </Space>
      <ErrorAlert error={changes.error} />
      {screens.md ? (
        <Table<Row>
          rowKey="id"
          loading={changes.loading && !changes.data}
          dataSource={rows}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t('编号', 'Number'), dataIndex: 'number', render: (v: string, r) => <Link to={`/changes/${r.id}`}>{v}</Link> },
            { title: t('标题', 'Title'), dataIndex: 'title' },
            { title: t('类别', 'Kind'), dataIndex: 'kind', render: (v: string) => label(CHANGE_KINDS, v, lang) },
            { title: t('风险', 'Risk'), dataIndex: 'risk', render: (v: string, r) => <Space size={4}><Tag color={RISK_COLORS[v]}>{label(RISKS, v, lang)}</Tag>{r.destructive ? <Tag color="red">{t('破坏性', 'destructive')}</Tag> : null}</Space> },
            { title: t('状态', 'State'), dataIndex: 'state', render: (v: string) => <Tag>{label(CHANGE_STATES, v, lang)}</Tag> },
            { title: t('修订', 'Revision'), dataIndex: 'currentRevision' },
            { title: t('窗口', 'Window'), key: 'window', render: (_: unknown, r) => `${shortTime(r.windowStart)} – ${shortTime(r.windowEnd)}` },
          ]}
        />
      ) : (
        <List
          dataSource={rows}
          renderItem={(r) => (
            <Card size="small" style={{ marginBottom: 8 }}>
              <Link to={`/changes/${r.id}`}>{r.number}</Link> <Tag color={RISK_COLORS[r.risk]}>{label(RISKS, r.risk, lang)}</Tag> <Tag>{label(CHANGE_STATES, r.state, lang)}</Tag>
              <div>{r.title}</div>
              <div style={{ fontSize: 12, color: '#888' }}>
                {shortTime(r.windowStart)} – {shortTime(r.windowEnd)}
              </div>
            </Card>
          )}
        />
      )}
    </div>
  );
}
