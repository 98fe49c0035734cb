import { Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** Original vendors (S7): the systems each made and its contacts by escalation level (robot secrets never shown). */
export default function VendorsPage() {
  const t = useT();
  const vendors = useLoad(() => must(api.GET('/vendors')), []);
  type Row = NonNullable<typeof vendors.data>[number];
  return (
    <div data-testid="vendors">
      <PageTitle title={t('原厂与联系人', 'Vendors and contacts')} onReload={() => void vendors.reload()} loading={vendors.loading} />
      <ErrorAlert error={vendors.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 700 }}
        loading={vendors.loading && !vendors.data}
        dataSource={vendors.data ?? []}
        expandable={{
          expandedRowRender: (v) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={v.contacts}
              columns={[
                { title: t('级别', 'Level'), dataIndex: 'level', render: (l: number) => `L${l}` },
                { title: t('姓名', 'Name'), dataIndex: 'name' },
                { title: t('职务', 'Role'), dataIndex: 'role' },
                { title: t('电话', 'Phone'), dataIndex: 'phone' },
                { title: t('邮箱', 'Email'), dataIndex: 'email' },
                { title: t('渠道', 'Channels'), key: 'ch', render: (_: unknown, c) => [c.hasWecomRobot && '企业微信', c.hasDingtalkRobot && '钉钉', c.webhookUrl && 'Webhook', c.userId && t('站内', 'in-app')].filter(Boolean).join('、') },
                { title: t('状态', 'Active'), dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">{t('有效', 'active')}</Tag> : <Tag>{t('停用', 'inactive')}</Tag>) },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('厂商', 'Vendor'), dataIndex: 'name' },
          { title: t('负责系统', 'Systems'), key: 'systems', render: (_: unknown, v) => v.systems.map((s) => <Tag key={s.id}>{s.displayName}</Tag>) },
          { title: t('联系人', 'Contacts'), key: 'contacts', render: (_: unknown, v) => v.contacts.filter((c) => c.active).length },
          { title: t('备注', 'Notes'), dataIndex: 'notes' },
        ]}
      />
    </div>
  );
}
