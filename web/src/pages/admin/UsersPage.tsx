import { App, Button, Form, Input, Modal, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { shortTime } from '../../app/format';
import { errorText, useLang, useT } from '../../app/i18n';
import { ROLE_NAMES, useSession } from '../../app/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';

const ROLES = Object.keys(ROLE_NAMES);

/**
 * People and their roles. Managers and dispatchers see the list; only the administrator adds people, changes
 * roles and deactivates (which ends their sessions at once). Directory people's roles follow their groups.
 */
export default function UsersPage() {
  const t = useT();
  const lang = useLang();
  const { session } = useSession();
  const { message } = App.useApp();
  const admin = session?.user.roles.includes('admin') ?? false;
  const users = useLoad(() => must(api.GET('/users')), []);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm();
  type Row = NonNullable<typeof users.data>[number];
  const roleOptions = ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r][lang === 'en' ? 1 : 0] }));

  const patch = async (id: string, body: { roles?: string[]; active?: boolean }) => {
    try {
      await must(api.PATCH('/users/{id}', { params: { path: { id } }, body: body as never }));
      await users.reload();
    } catch (err) {
      message.error(errorText(lang, err));
    }
  };
  const add = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      await must(api.POST('/users', { body: { username: v.username, displayName: v.displayName, roles: v.roles, ...(v.phone ? { phone: v.phone } : {}), ...(v.password ? { password: v.password } : {}) } }));
      setAdding(false);
      form.resetFields();
      await users.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div data-testid="users">
      <PageTitle
        title={t('用户与角色', 'Users and roles')}
        onReload={() => void users.reload()}
        loading={users.loading}
        extra={admin ? <Button type="primary" onClick={() => setAdding(true)}>{t('添加用户', 'Add a user')}</Button> : null}
      />
      <ErrorAlert error={users.error} />
      <Table<Row>
        rowKey="id"
        size="small"
        scroll={{ x: 900 }}
        loading={users.loading && !users.data}
        dataSource={users.data ?? []}
        columns={[
          { title: t('用户名', 'Username'), dataIndex: 'username' },
          { title: t('姓名', 'Name'), dataIndex: 'displayName' },
          {
            title: t('角色', 'Roles'),
            dataIndex: 'roles',
            render: (roles: string[], u) =>
              admin && u.authSource === 'local' ? (
                <Select mode="multiple" size="small" style={{ minWidth: 220 }} value={roles} options={roleOptions} onChange={(v) => void patch(u.id, { roles: v })} />
              ) : (
                roles.map((r) => <Tag key={r}>{ROLE_NAMES[r]?.[lang === 'en' ? 1 : 0] ?? r}</Tag>)
              ),
          },
          { title: t('来源', 'Source'), dataIndex: 'authSource', render: (v: string) => (v === 'directory' ? t('医院目录', 'directory') : t('本地', 'local')) },
          { title: t('最近登录', 'Last sign-in'), dataIndex: 'lastSignInAt', render: (v: string | null) => shortTime(v) },
          { title: t('启用', 'Active'), dataIndex: 'active', render: (v: boolean, u) => (admin && u.id !== session?.user.id ? <Switch size="small" checked={v} onChange={(on) => void patch(u.id, { active: on })} /> : v ? '✓' : '—') },
        ]}
      />
      <Modal open={adding} title={t('添加用户', 'Add a user')} onOk={() => void add()} onCancel={() => setAdding(false)} okText={t('添加', 'Add')} cancelText={t('取消', 'Cancel')}>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical">
          <Form.Item name="username" label={t('用户名', 'Username')} rules={[{ required: true }]}>
            <Input placeholder="zhang.wei" />
          </Form.Item>
          <Form.Item name="displayName" label={t('姓名', 'Name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="roles" label={t('角色', 'Roles')} rules={[{ required: true }]}>
            <Select mode="multiple" options={roleOptions} />
          </Form.Item>
          <Form.Item name="phone" label={t('电话', 'Phone')}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label={t('初始密码（10 位以上）', 'Initial password (10+ characters)')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
