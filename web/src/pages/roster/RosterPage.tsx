import { Alert, App, Button, DatePicker, Form, Input, Modal, Select, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { useLang, useT } from '../../app/i18n';
import { beijingIso } from '../../app/format';
import { ROLE_NAMES, holds, useSession } from '../../app/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

/** The onsite team (S12, S13) and who is on duty now: new incidents go to them. The project manager adds duty shifts. */
export default function RosterPage() {
  const t = useT();
  const lang = useLang();
  const { session } = useSession();
  const { message } = App.useApp();
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<{ userId: string; range: [Dayjs, Dayjs]; note?: string }>();
  const addShift = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      await must(api.POST('/roster/shifts', { body: { userId: v.userId, startsAt: beijingIso(v.range[0].format('YYYY-MM-DDTHH:mm')), endsAt: beijingIso(v.range[1].format('YYYY-MM-DDTHH:mm')), ...(v.note ? { note: v.note } : {}) } }));
      message.success(t('已添加值班班次', 'Shift added'));
      setAdding(false);
      form.resetFields();
      await duty.reload();
    } catch (err) {
      setError(err);
    }
  };
  const team = useLoad(() => must(api.GET('/roster')), []);
  const duty = useLoad(() => must(api.GET('/roster/on-duty')), [], 60_000);
  type Row = NonNullable<typeof team.data>[number];
  return (
    <div data-testid="roster">
      <PageTitle
        title={t('驻场团队与值班', 'Onsite team and duty')}
        onReload={() => void Promise.all([team.reload(), duty.reload()])}
        loading={team.loading}
        extra={holds(session, 'project_manager') ? <Button type="primary" onClick={() => setAdding(true)} data-testid="add-shift">{t('添加值班', 'Add a shift')}</Button> : null}
      />
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
      <Modal open={adding} title={t('添加值班班次', 'Add a duty shift')} onOk={() => void addShift()} onCancel={() => setAdding(false)} okText={t('添加', 'Add')} cancelText={t('取消', 'Cancel')}>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical">
          <Form.Item name="userId" label={t('工程师', 'Engineer')} rules={[{ required: true }]}>
            <Select options={(team.data ?? []).filter((m) => m.roles.includes('engineer') || m.roles.includes('project_manager')).map((m) => ({ value: m.id, label: m.displayName }))} />
          </Form.Item>
          <Form.Item name="range" label={t('起止（北京时间）', 'From – to (Beijing time)')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="note" label={t('备注', 'Note')}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
