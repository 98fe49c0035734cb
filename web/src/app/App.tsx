import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { HashRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { api, onSessionExpired, setCsrfToken } from '../api/client';
import { SignInPage } from '../pages/sign-in/SignInPage';
import { LANG_KEY, Lang, LangContext, initialLang, useT } from './i18n';
import { Shell } from './Shell';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { SessionContext, SessionState, holds, useSession } from './session';

const BoardPage = lazy(() => import('../pages/board/BoardPage'));
const IncidentPage = lazy(() => import('../pages/incidents/IncidentPage'));
const ChangesPage = lazy(() => import('../pages/changes/ChangesPage'));
const ChangeReviewPage = lazy(() => import('../pages/changes/ChangeReviewPage'));
const EscalationsPage = lazy(() => import('../pages/escalations/EscalationsPage'));
const HomeRedirect = lazy(() => import('./HomeRedirect'));
const RecordsPage = lazy(() => import('../pages/records/RecordsPage'));
const ModificationsPage = lazy(() => import('../pages/modifications/ModificationsPage'));
const VendorsPage = lazy(() => import('../pages/vendors/VendorsPage'));
const RosterPage = lazy(() => import('../pages/roster/RosterPage'));
const CmdbPage = lazy(() => import('../pages/cmdb/CmdbPage'));
const InboxPage = lazy(() => import('../pages/notifications/InboxPage'));
const DeliveryLogPage = lazy(() => import('../pages/notifications/DeliveryLogPage'));
const CalendarPolicyPage = lazy(() => import('../pages/admin/CalendarPolicyPage'));
const UsersPage = lazy(() => import('../pages/admin/UsersPage'));
const JobRunsPage = lazy(() => import('../pages/jobs/JobRunsPage'));
const InspectionReportsPage = lazy(() => import('../pages/inspections/InspectionReportsPage'));
const ProblemsPage = lazy(() => import('../pages/problems/ProblemsPage'));
const ReportsPage = lazy(() => import('../pages/reports/ReportsPage'));

/**
 * The console (issue 16): hash routes (`/#/incidents/…`) so no page path ever shadows an API route; the API serves
 * this bundle at `/`. The session lives in the httpOnly cookie; this keeps only who signed in and the CSRF token.
 */
export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<SessionState | null>(null);
  const [loading, setLoading] = useState(true);
  const [expired, setExpired] = useState<string | null>(null);

  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      window.localStorage.setItem(LANG_KEY, l);
    } catch {
      /* private mode: the choice lasts for this page */
    }
  }, []);
  useEffect(() => {
    dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  }, [lang]);

  useEffect(() => {
    let live = true;
    api.GET('/auth/session').then(({ data, response }) => {
      if (!live) return;
      if (response.ok && data && data.via === 'session') {
        setCsrfToken(data.csrfToken ?? null);
        setSession({ user: data.user, authSource: data.authSource ?? null, expiresAt: data.expiresAt ?? null, idleTimeoutSeconds: data.idleTimeoutSeconds });
      }
      setLoading(false);
    }, () => live && setLoading(false));
    return () => {
      live = false;
    };
  }, []);

  // Any 401 on a signed-in page: the session ended (idle or absolute limit); back to the sign-in page, saying why.
  useEffect(
    () =>
      onSessionExpired((code) => {
        setCsrfToken(null);
        setSession((s) => {
          if (s) setExpired(code);
          return null;
        });
      }),
    [],
  );
  // The absolute limit is known: leave on time rather than on the next click.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const ms = new Date(session.expiresAt).getTime() - Date.now();
    if (ms > 2 ** 31 - 1) return;
    const timer = window.setTimeout(() => {
      setCsrfToken(null);
      setSession(null);
      setExpired('SESSION_EXPIRED');
    }, Math.max(0, ms));
    return () => window.clearTimeout(timer);
  }, [session?.expiresAt]);

  const sessionValue = useMemo(
    () => ({
      session,
      signedIn: (s: SessionState, csrf: string | null) => {
        setCsrfToken(csrf);
        setExpired(null);
        setSession(s);
      },
      signOut: async () => {
        await api.POST('/auth/sign-out').catch(() => undefined);
        setCsrfToken(null);
        setSession(null);
      },
    }),
    [session],
  );

  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1668dc' } }}>
        <AntApp>
          <SessionContext.Provider value={sessionValue}>
            {loading ? (
              <div style={{ display: 'flex', justifyContent: 'center', marginTop: 120 }}>
                <Spin size="large" />
              </div>
            ) : (
              <HashRouter>
                <Routes>
                  <Route path="/sign-in" element={session ? <Navigate to="/" replace /> : <SignInPage expired={expired} />} />
                  <Route path="/*" element={session ? <SignedIn /> : <ToSignIn />} />
                </Routes>
              </HashRouter>
            )}
          </SessionContext.Provider>
        </AntApp>
      </ConfigProvider>
    </LangContext.Provider>
  );
}

function ToSignIn() {
  const from = useLocation();
  const next = from.pathname && from.pathname !== '/' ? `?next=${encodeURIComponent(from.pathname + from.search)}` : '';
  return <Navigate to={`/sign-in${next}`} replace />;
}

const STAFF = ['dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'integration'];

/** A page for the roles the API lets read it; anyone else is told so instead of meeting the API's 403. */
function Only({ roles, children }: { roles: string[]; children: ReactNode }) {
  const { session } = useSession();
  const t = useT();
  if (holds(session, ...roles)) return <>{children}</>;
  return <Result status="403" title={t('无权访问此页面', 'You may not open this page')} subTitle={t('您的角色没有此页面的权限。', 'Your roles do not include this page.')} data-testid="forbidden" />;
}

function SignedIn() {
  const where = useLocation();
  const staff = (el: ReactNode) => <Only roles={STAFF}>{el}</Only>;
  return (
    <Shell>
      <ErrorBoundary resetKey={where.pathname}>
        <Suspense fallback={<Spin style={{ margin: 48 }} />}>
          <Routes>
            <Route path="/" element={<HomeRedirect />} />
            <Route path="/board" element={staff(<BoardPage />)} />
            <Route path="/incidents/:id" element={staff(<IncidentPage />)} />
            <Route path="/changes" element={staff(<ChangesPage />)} />
            <Route path="/changes/:id" element={staff(<ChangeReviewPage />)} />
            <Route path="/escalations" element={<Only roles={['vendor_contact']}><EscalationsPage /></Only>} />
            <Route path="/records" element={staff(<RecordsPage />)} />
            <Route path="/modifications" element={staff(<ModificationsPage />)} />
            <Route path="/vendors" element={staff(<VendorsPage />)} />
            <Route path="/roster" element={staff(<RosterPage />)} />
            <Route path="/cmdb" element={staff(<CmdbPage />)} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/notifications" element={staff(<DeliveryLogPage />)} />
            <Route path="/calendar" element={staff(<CalendarPolicyPage />)} />
            <Route path="/users" element={<Only roles={['project_manager', 'it_manager', 'dispatcher']}><UsersPage /></Only>} />
            <Route path="/jobs" element={staff(<JobRunsPage />)} />
            <Route path="/inspection-reports" element={staff(<InspectionReportsPage />)} />
            <Route path="/problems" element={staff(<ProblemsPage />)} />
            <Route path="/reports" element={staff(<ReportsPage />)} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </ErrorBoundary>
    </Shell>
  );
}
