import {
  AlertOutlined,
  AuditOutlined,
  BarChartOutlined,
  BugOutlined,
  BellOutlined,
  CalendarOutlined,
  ClusterOutlined,
  CodeOutlined,
  DashboardOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  PhoneOutlined,
  ScheduleOutlined,
  SendOutlined,
  ShopOutlined,
  TeamOutlined,
  ToolOutlined,
  TranslationOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, Grid, Layout, Menu, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useLang, useT, LangContext } from './i18n';
import { useContext } from 'react';
import { PasswordDialog } from './PasswordDialog';
import { ROLE_NAMES, holds, useSession } from './session';

const STAFF = ['dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'integration'];

/** The frame of every signed-in page: the menu of what the person's roles may open, the language switch, sign-out. */
export function Shell({ children }: { children: ReactNode }) {
  const t = useT();
  const lang = useLang();
  const { setLang } = useContext(LangContext);
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  const where = useLocation();
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const [collapsed, setCollapsed] = useState(true);
  const [changingPassword, setChangingPassword] = useState(false);

  // The pages a person's roles may open (the API decides again on every call).
  const items = [
    holds(session, ...STAFF) && { key: '/board', icon: <DashboardOutlined />, label: t('调度台', 'Dispatch board') },
    holds(session, ...STAFF) && { key: '/changes', icon: <AuditOutlined />, label: t('数据库变更', 'Schema changes') },
    holds(session, ...STAFF) && { key: '/modifications', icon: <ToolOutlined />, label: t('改造需求', 'Modifications') },
    holds(session, ...STAFF) && { key: '/problems', icon: <BugOutlined />, label: t('问题管理', 'Problems') },
    holds(session, ...STAFF) && { key: '/records', icon: <FileDoneOutlined />, label: t('维护记录', 'Records') },
    holds(session, ...STAFF) && { key: '/reports', icon: <BarChartOutlined />, label: t('合同与报告', 'Contract and reports') },
    session?.user.roles.includes('vendor_contact') && { key: '/escalations', icon: <PhoneOutlined />, label: t('原厂升级', 'Escalations') },
    holds(session, ...STAFF) && { key: '/cmdb', icon: <ClusterOutlined />, label: t('配置管理', 'CMDB') },
    holds(session, ...STAFF) && { key: '/jobs', icon: <CodeOutlined />, label: t('作业执行', 'Job runs') },
    holds(session, ...STAFF) && { key: '/inspection-reports', icon: <FileSearchOutlined />, label: t('巡检报告', 'Inspection reports') },
    holds(session, ...STAFF) && { key: '/vendors', icon: <ShopOutlined />, label: t('原厂与联系人', 'Vendors') },
    holds(session, ...STAFF) && { key: '/roster', icon: <ScheduleOutlined />, label: t('团队与值班', 'Team and duty') },
    { key: '/inbox', icon: <BellOutlined />, label: t('我的消息', 'My messages') },
    holds(session, ...STAFF) && { key: '/notifications', icon: <SendOutlined />, label: t('投递记录', 'Delivery log') },
    holds(session, ...STAFF) && { key: '/calendar', icon: <CalendarOutlined />, label: t('日历与 SLA', 'Calendar and SLA') },
    holds(session, 'project_manager', 'it_manager', 'dispatcher') && { key: '/users', icon: <TeamOutlined />, label: t('用户与角色', 'Users and roles') },
  ].filter(Boolean) as { key: string; icon: ReactNode; label: string }[];
  const selected = items.find((i) => where.pathname.startsWith(i.key) || (i.key === '/board' && where.pathname.startsWith('/incidents')))?.key;
  const roles = (session?.user.roles ?? []).map((r) => ROLE_NAMES[r]?.[lang === 'en' ? 1 : 0] ?? r);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        breakpoint="md"
        collapsedWidth={phone ? 0 : 64}
        collapsible
        collapsed={phone ? collapsed : false}
        onCollapse={setCollapsed}
        trigger={null}
        width={200}
        style={phone ? { position: 'fixed', zIndex: 20, height: '100vh', top: 64 } : undefined}
        data-testid="menu"
      >
        <div style={{ color: '#fff', padding: '16px 20px', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap' }}>
          <AlertOutlined /> Wardline
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={items}
          onClick={(e) => {
            navigate(e.key);
            if (phone) setCollapsed(true);
          }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: phone ? '0 8px' : '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
          <div style={{ display: 'flex', alignItems: 'center', gap: 4, minWidth: 0, overflow: 'hidden', lineHeight: 'normal' }}>
            {phone ? <Button type="text" icon={<MenuOutlined />} onClick={() => setCollapsed(!collapsed)} aria-label={t('菜单', 'Menu')} data-testid="menu-toggle" /> : null}
            <Typography.Text strong ellipsis style={{ fontSize: phone ? 14 : 16 }}>
              {t('医院信息系统运维服务平台', 'Hospital IT service console')}
            </Typography.Text>
          </div>
          <Space size={phone ? 4 : 12}>
            <Button size="small" icon={<TranslationOutlined />} onClick={() => setLang(lang === 'en' ? 'zh' : 'en')} data-testid="lang-switch">
              {lang === 'en' ? '中文' : 'English'}
            </Button>
            <Dropdown
              menu={{
                items: [
                  { key: 'roles', label: roles.join('、'), disabled: true },
                  ...(session?.authSource === 'local' ? [{ key: 'password', icon: <KeyOutlined />, label: t('修改密码', 'Change password') }] : []),
                  { key: 'out', icon: <LogoutOutlined />, label: t('退出登录', 'Sign out') },
                ],
                onClick: async (e) => {
                  if (e.key === 'password') setChangingPassword(true);
                  if (e.key === 'out') {
                    await signOut();
                    navigate('/sign-in');
                  }
                },
              }}
            >
              <Button size="small" type="text" data-testid="user-menu">
                {session?.user.displayName}
                {!phone && roles[0] ? <Tag style={{ marginLeft: 6 }}>{roles[0]}</Tag> : null}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 8 : 24 }}>{children}</Layout.Content>
        {changingPassword ? <PasswordDialog onClose={() => setChangingPassword(false)} /> : null}
      </Layout>
    </Layout>
  );
}
