import { LockOutlined, TranslationOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useContext, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { LangContext, useLang, useT } from '../../app/i18n';
import { useSession } from '../../app/session';

/**
 * Sign-in for people (issue 16). One API route serves both kinds of account: a local name is checked against its
 * argon2id hash, any other name is bound against the hospital's directory (LDAP/AD) and gets the roles its groups map
 * to. Repeated failures lock the name for a while (the API says so, 429).
 */
export function SignInPage({ expired }: { expired: string | null }) {
  const t = useT();
  const lang = useLang();
  const { setLang } = useContext(LangContext);
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [kind, setKind] = useState<'local' | 'directory'>('local');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; locked: boolean } | null>(null);

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const { data, error: body, response } = await api.POST('/auth/sign-in', { body: { username: v.username.trim(), password: v.password } });
      if (!response.ok || !data) {
        const b = (body ?? {}) as { messageZh?: string; messageEn?: string };
        setError({ text: (lang === 'en' ? b.messageEn : b.messageZh) ?? `HTTP ${response.status}`, locked: response.status === 429 });
        return;
      }
      signedIn({ user: data.user, authSource: data.authSource ?? null, expiresAt: data.expiresAt ?? null, idleTimeoutSeconds: data.idleTimeoutSeconds }, data.csrfToken ?? null);
      const next = params.get('next');
      navigate(next && next.startsWith('/') ? next : '/', { replace: true });
    } catch (err) {
      setError({ text: t('无法连接服务器', 'cannot reach the server') + ` (${String(err)})`, locked: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg,#e8f0fe,#f5f7fa)', padding: 12 }}>
      <Card style={{ width: 380, maxWidth: '100%' }} data-testid="sign-in">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline' }}>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            Wardline
          </Typography.Title>
          <Button size="small" type="link" icon={<TranslationOutlined />} onClick={() => setLang(lang === 'en' ? 'zh' : 'en')} data-testid="lang-switch">
            {lang === 'en' ? '中文' : 'English'}
          </Button>
        </div>
        <Typography.Paragraph type="secondary">{t('医院信息系统运维服务平台 · 请登录', 'Hospital IT service console · please sign in')}</Typography.Paragraph>
        {expired ? (
          <Alert
            style={{ marginBottom: 16 }}
            type="warning"
            showIcon
            data-testid="expired"
            title={t('登录已失效（长时间未操作或超过最长登录时间），请重新登录', 'Your session has ended (idle too long or past its limit): sign in again')}
          />
        ) : null}
        <Segmented
          block
          style={{ marginBottom: 16 }}
          value={kind}
          onChange={(v) => setKind(v as 'local' | 'directory')}
          options={[
            { value: 'local', label: t('平台账号', 'Platform account') },
            { value: 'directory', label: t('医院域账号（AD/LDAP）', 'Hospital directory (AD/LDAP)') },
          ]}
        />
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={kind === 'directory' ? t('域账号', 'Directory account') : t('用户名', 'Username')} rules={[{ required: true, message: t('请输入用户名', 'Enter your username') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus placeholder={kind === 'directory' ? 'zhang.san' : 'wang.dd'} />
          </Form.Item>
          <Form.Item name="password" label={t('密码', 'Password')} rules={[{ required: true, message: t('请输入密码', 'Enter your password') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          {kind === 'directory' ? (
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('使用医院 Windows 域账号与密码登录；角色由所在的域组决定。', 'Use your hospital Windows account; your roles follow your directory groups.')}
            </Typography.Paragraph>
          ) : null}
          {error ? <Alert style={{ marginBottom: 16 }} type={error.locked ? 'error' : 'warning'} showIcon title={error.text} data-testid="sign-in-error" /> : null}
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="sign-in-submit">
            {t('登录', 'Sign in')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
