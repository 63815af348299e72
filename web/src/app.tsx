/**
 * The app: sign-in for anyone without a session, then the pages the user's role works
 * with. Routes a role does not use send the user to their own home page.
 */
import { Suspense, lazy, useEffect, type ReactNode } from 'react';
import { AppShell } from './layout/app-shell.tsx';
import { LiveProvider } from './lib/live.tsx';
import { navigate, useRoute, type Route } from './lib/router.tsx';
import { SessionProvider, useSession, type Role } from './lib/session.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { Loading } from './components/status.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';

const CaseloadPage = lazy(() => import('./keyworker/caseload-page.tsx').then((m) => ({ default: m.CaseloadPage })));
const CasePage = lazy(() => import('./keyworker/case-page.tsx').then((m) => ({ default: m.CasePage })));
const ReferralBoxesPage = lazy(() => import('./referrals/referral-boxes-page.tsx').then((m) => ({ default: m.ReferralBoxesPage })));
const ReferralPage = lazy(() => import('./referrals/referral-page.tsx').then((m) => ({ default: m.ReferralPage })));
const SendReferralPage = lazy(() => import('./referrals/send-referral-page.tsx').then((m) => ({ default: m.SendReferralPage })));
const DashboardPage = lazy(() => import('./manager/dashboard-page.tsx').then((m) => ({ default: m.DashboardPage })));
const FigureListPage = lazy(() => import('./manager/figure-list-page.tsx').then((m) => ({ default: m.FigureListPage })));
const AuditPage = lazy(() => import('./auditor/audit-page.tsx').then((m) => ({ default: m.AuditPage })));
const PeoplePage = lazy(() => import('./people/people-page.tsx').then((m) => ({ default: m.PeoplePage })));
const PersonPage = lazy(() => import('./people/person-page.tsx').then((m) => ({ default: m.PersonPage })));
const MyDayPage = lazy(() => import('./keywork/my-day-page.tsx').then((m) => ({ default: m.MyDayPage })));
const TeamQueuePage = lazy(() => import('./keywork/team-queue-page.tsx').then((m) => ({ default: m.TeamQueuePage })));
const AdminPage = lazy(() => import('./pages/admin-page.tsx').then((m) => ({ default: m.AdminPage })));

/** Where each role lands after signing in. */
export const HOME: Record<Role, string> = {
  keyworker: '/caseload',
  referrer: '/referrals?box=inbox',
  manager: '/dashboard',
  auditor: '/audit',
  area_auditor: '/audit',
  admin: '/admin',
};

/** Which roles may open each section. */
const SECTION_ROLES: Record<string, Role[]> = {
  caseload: ['keyworker', 'manager', 'referrer'],
  cases: ['keyworker', 'manager', 'referrer'],
  referrals: ['keyworker', 'referrer', 'manager'],
  people: ['keyworker', 'referrer', 'manager'],
  'my-day': ['keyworker', 'manager'],
  'team-queue': ['keyworker', 'manager'],
  dashboard: ['manager'],
  audit: ['auditor', 'area_auditor'],
  admin: ['admin'],
};

function pageFor(route: Route, role: Role): ReactNode {
  const [section, id] = route.segments;
  if (!section) return null;
  const roles = SECTION_ROLES[section];
  if (!roles) return <NotFoundPage />;
  if (!roles.includes(role)) return <NotFoundPage />;
  switch (section) {
    case 'caseload':
      return <CaseloadPage query={route.query} />;
    case 'cases':
      // Keyed by id: a form or notice opened on one record never carries over to the next.
      return id ? <CasePage key={id} caseId={id} /> : <CaseloadPage query={route.query} />;
    case 'referrals':
      if (id === 'new') return <SendReferralPage query={route.query} />;
      return id ? <ReferralPage key={id} referralId={id} /> : <ReferralBoxesPage query={route.query} />;
    case 'my-day':
      return <MyDayPage />;
    case 'team-queue':
      return <TeamQueuePage />;
    case 'dashboard':
      // The lists behind the figures: `#/dashboard/journeys?figure=…`, `#/dashboard/referrals?figure=…`.
      if (id === 'journeys' || id === 'referrals') return <FigureListPage key={`${id}?${route.query.toString()}`} kind={id} query={route.query} />;
      return <DashboardPage query={route.query} />;
    case 'people':
      return id ? <PersonPage key={id} personId={id} /> : <PeoplePage query={route.query} />;
    case 'audit':
      return <AuditPage query={route.query} />;
    case 'admin':
      return <AdminPage />;
    default:
      return <NotFoundPage />;
  }
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Routed() {
  const { user, token, signOut } = useSession();
  const route = useRoute();
  if (!user) return <SignInPage />;
  const home = HOME[user.role] ?? '/';
  if (route.segments.length === 0) return <Redirect to={home} />;
  return (
    <LiveProvider token={token} onSessionEnded={() => void signOut()}>
      <AppShell route={route}>
        <Suspense fallback={<Loading what="Opening page" />}>{pageFor(route, user.role)}</Suspense>
      </AppShell>
    </LiveProvider>
  );
}

/** The whole app. */
export function App() {
  return (
    <SessionProvider>
      <Routed />
    </SessionProvider>
  );
}
