import { ApartmentOutlined } from '@ant-design/icons';
import { Button, Descriptions, Drawer, Input, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { dateTime } from '../../app/format';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** The CMDB (P1): browse and search items, an item's relations and impact, and its topology (the cytoscape page). */
export default function CmdbPage() {
  const t = useT();
  const [q, setQ] = useState('');
  const [type, setType] = useState<string | undefined>();
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const types = useLoad(() => must(api.GET('/cmdb/types')), []);
  const items = useLoad(() => must(api.GET('/cmdb/items', { params: { query: { limit: 50, offset, ...(q ? { q } : {}), ...(type ? { type } : {}) } as never } })), [q, type, offset]);
  const detail = useLoad(async () => (open ? must(api.GET('/cmdb/items/{ref}', { params: { path: { ref: open } } })) : null), [open]);
  const impact = useLoad(async () => (open ? must(api.GET('/cmdb/items/{ref}/impact', { params: { path: { ref: open }, query: {} as never } })) : null), [open]);
  type Row = NonNullable<typeof items.data>['items'][number];
  const typeOptions = ((types.data as { itemTypes?: { type?: string; name?: string; label?: string; labelZh?: string }[] } | undefined)?.itemTypes ?? []).map((x) => ({ value: x.type ?? x.name ?? '', label: x.labelZh ?? x.label ?? x.type ?? x.name ?? '' }));
  const d = detail.data as Record<string, unknown> | null | undefined;
  return (
    <div data-testid="cmdb">
      <PageTitle
        title={t('配置管理（CMDB）', 'Configuration items (CMDB)')}
        onReload={() => void items.reload()}
        loading={items.loading}
        extra={
          <>
            <Input.Search allowClear placeholder={t('名称、IP、属性', 'name, IP, attribute')} style={{ width: 220 }} onSearch={(v) => { setOffset(0); setQ(v.trim()); }} />
            <Select allowClear placeholder={t('类型', 'Type')} style={{ width: 150 }} value={type} onChange={(v) => { setOffset(0); setType(v); }} options={typeOptions} />
          </>
        }
      />
      <ErrorAlert error={items.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 800 }}
        loading={items.loading && !items.data}
        dataSource={items.data?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        pagination={{ current: offset / 50 + 1, pageSize: 50, total: items.data?.total ?? 0, showSizeChanger: false, onChange: (page) => setOffset((page - 1) * 50) }}
        columns={[
          { title: t('名称', 'Name'), dataIndex: 'displayName', render: (v: string, r) => v || r.name },
          { title: t('类型', 'Type'), dataIndex: 'typeLabel' },
          { title: t('重要性', 'Criticality'), dataIndex: 'criticality', render: (v: string) => <Tag color={v === 'critical' ? 'red' : v === 'high' ? 'orange' : undefined}>{v}</Tag> },
          { title: t('状态', 'Lifecycle'), dataIndex: 'lifecycleStatus' },
          { title: t('归属科室', 'Department'), dataIndex: 'ownerDepartment' },
          { title: t('厂商', 'Vendor'), key: 'vendor', render: (_: unknown, r) => r.vendor?.name ?? '' },
        ]}
      />
      <Drawer open={!!open} onClose={() => setOpen(null)} size="large" title={d ? String(d.displayName || d.name) : ''}>
        {d ? (
          <>
            <Button icon={<ApartmentOutlined />} href={`/cmdb/topology?item=${encodeURIComponent(String(d.id))}&depth=2`} target="_blank" style={{ marginBottom: 12 }}>
              {t('查看拓扑图', 'Topology')}
            </Button>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('类型', 'Type')}>{String(d.typeLabel ?? d.type)}</Descriptions.Item>
              <Descriptions.Item label={t('名称', 'Name')}>{String(d.name)}</Descriptions.Item>
              {Object.entries((d.attributes as Record<string, unknown>) ?? {}).map(([k, v]) => (
                <Descriptions.Item key={k} label={k}>
                  {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                </Descriptions.Item>
              ))}
              <Descriptions.Item label={t('更新于', 'Updated')}>{dateTime(d.updatedAt as string)}</Descriptions.Item>
            </Descriptions>
            {impact.data ? (
              <div style={{ marginTop: 12 }} data-testid="impact">
                <strong>{t('故障影响的业务系统', 'Business systems affected if it fails')}</strong>
                <div>
                  {((impact.data as { businessSystems?: { name: string; displayName: string }[] }).businessSystems ?? []).map((s) => (
                    <Tag key={s.name}>{s.displayName}</Tag>
                  ))}
                </div>
              </div>
            ) : null}
          </>
        ) : null}
      </Drawer>
    </div>
  );
}
