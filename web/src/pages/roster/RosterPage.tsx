import { Alert, Table, Tag } from 'antd';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { useLang, useT } from '../../app/i18n';
import { ROLE_NAMES } from '../../app/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** The onsite team (S12, S13) and who is on duty now: new incidents go to them. */
export default function RosterPage() {
  const t = useT();
  const lang = useLang();
  const team = useLoad(() => must(api.GET('/roster')), []);
  const duty = useLoad(() => must(api.GET('/roster/on-duty')), [], 60_000);
  type Row = NonNullable<typeof team.data>[number];
  return (
    <div data-testid="roster">
      <PageTitle title={t('驻场团队与值班', 'Onsite team and duty')} onReload={() => void Promise.all([team.reload(), duty.reload()])} loading={team.loading} />
      <Alert style={{ marginBottom: 12 }} type={duty.data?.onDuty ? 'info' : 'warning'} showIcon title={duty.data?.onDuty ? t(`当前值班：${duty.data.onDuty.displayName}`, `On duty now: ${duty.data.onDuty.displayName}`) : t('当前无人值班：新工单需手动指派', 'Nobody on duty: new incidents need assigning by hand')} />
      <ErrorAlert error={team.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 600 }}
        dataSource={team.data ?? []}
        loading={team.loading && !team.data}
        columns={[
          { title: t('姓名', 'Name'), dataIndex: 'displayName', render: (v: string, r) => (duty.data?.onDuty?.userId === r.id ? <span>{v} <Tag color="blue">{t('值班', 'on duty')}</Tag></span> : v) },
          { title: t('角色', 'Roles'), dataIndex: 'roles', render: (roles: string[]) => roles.map((r) => <Tag key={r}>{ROLE_NAMES[r]?.[lang === 'en' ? 1 : 0] ?? r}</Tag>) },
          { title: t('电话', 'Phone'), dataIndex: 'phone' },
          { title: t('邮箱', 'Email'), dataIndex: 'email' },
        ]}
      />
    </div>
  );
}
