import { App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { api, must } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { useT } from './i18n';

/** A person changes their own password (platform accounts; a directory account's lives in the directory). */
export function PasswordDialog({ onClose }: { onClose(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; again: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/auth/password', { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } }));
      message.success(t('密码已修改；其他设备上的登录已退出', 'Password changed; sessions elsewhere were signed out'));
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('修改密码', 'Change password')} onOk={() => void submit()} onCancel={onClose} confirmLoading={busy} okText={t('修改', 'Change')} cancelText={t('取消', 'Cancel')} okButtonProps={{ 'data-testid': 'password-ok' } as never}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical">
        <Form.Item name="currentPassword" label={t('当前密码', 'Current password')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('新密码（至少 10 个字符）', 'New password (10 characters or more)')} rules={[{ required: true, min: 10 }]}>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item
          name="again"
          label={t('再次输入新密码', 'New password again')}
          dependencies={['newPassword']}
          rules={[{ required: true }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('两次输入不一致', 'The two do not match')))) })]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-again" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
