import { Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useT } from '../../app/i18n';
import { ErrorAlert } from '../../components/ErrorAlert';

export type FieldSpec =
  | { name: string; kind: 'text'; label: [string, string]; required?: boolean; rows?: number }
  | { name: string; kind: 'select'; label: [string, string]; required?: boolean; options: { value: string; label: string }[] };

/** The few words an action asks for (a reason, a cause and fix, an engineer), then the call; the API's refusal shown in place. */
export function ActionDialog(props: { title: string; fields: FieldSpec[]; onSubmit(values: Record<string, string>): Promise<void>; onClose(): void; testId: string }) {
  const t = useT();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    const values = (await form.validateFields()) as Record<string, string>;
    setBusy(true);
    setError(null);
    try {
      const trimmed = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
      await props.onSubmit(trimmed);
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={props.title} onOk={() => void submit()} onCancel={props.onClose} confirmLoading={busy} okText={t('提交', 'Submit')} cancelText={t('取消', 'Cancel')} okButtonProps={{ 'data-testid': `${props.testId}-ok` } as never} destroyOnHidden>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" data-testid={props.testId}>
        {props.fields.map((f) => (
          <Form.Item key={f.name} name={f.name} label={t(f.label[0], f.label[1])} rules={f.required ? [{ required: true, message: t('必填', 'Required') }] : []}>
            {f.kind === 'select' ? <Select options={f.options} data-testid={`field-${f.name}`} /> : <Input.TextArea rows={f.rows ?? 2} data-testid={`field-${f.name}`} />}
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}
