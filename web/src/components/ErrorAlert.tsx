import { Alert } from 'antd';
import { errorText, useLang } from '../app/i18n';

/** The API's refusal in the person's language (it always carries Chinese and English), with the fields it names. */
export function ErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const lang = useLang();
  if (!error) return null;
  const fields = ((error as { body?: { errors?: { field: string }[] } }).body?.errors ?? []).map((e) => e.field).filter(Boolean);
  return (
    <Alert
      type="error"
      showIcon
      closable={!!onClose}
      onClose={onClose}
      style={{ marginBottom: 12 }}
      data-testid="api-error"
      title={errorText(lang, error)}
      description={fields.length ? fields.join(', ') : undefined}
    />
  );
}
