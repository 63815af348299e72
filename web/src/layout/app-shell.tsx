/**
 * The frame around every signed-in page: a skip link, the header with the user's agency
 * and role, navigation for what their role does, the live indicator and sign-out.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, type Route } from '../lib/router.tsx';
import { useLiveStatus } from '../lib/live.tsx';
import { useSession, type Role } from '../lib/session.tsx';
import { HeaderSearch } from '../people/header-search.tsx';

/** Roles that work with people: they get the search box in the header. */
const SEARCHING_ROLES: readonly Role[] = ['keyworker', 'referrer', 'manager'];

interface NavItem {
  to: string;
  label: string;
  /** The first path segment that marks this item current. */
  section: string;
}

const NAV: Record<Role, NavItem[]> = {
  keyworker: [
    { to: '/my-day', label: 'My day', section: 'my-day' },
    { to: '/caseload', label: 'My caseload', section: 'caseload' },
    { to: '/team-queue', label: 'Team queue', section: 'team-queue' },
    { to: '/referrals?box=inbox', label: 'Referrals', section: 'referrals' },
  ],
  referrer: [
    { to: '/referrals?box=inbox', label: 'Referrals', section: 'referrals' },
    { to: '/referrals/new', label: 'Send a referral', section: 'referrals/new' },
  ],
  manager: [
    { to: '/dashboard', label: 'Dashboard', section: 'dashboard' },
    { to: '/caseload', label: 'Cases', section: 'caseload' },
    { to: '/team-queue', label: 'Team queue', section: 'team-queue' },
    { to: '/referrals?box=inbox', label: 'Referrals', section: 'referrals' },
  ],
  auditor: [{ to: '/audit', label: 'Audit trail', section: 'audit' }],
  area_auditor: [{ to: '/audit', label: 'Audit trail', section: 'audit' }],
  admin: [{ to: '/admin', label: 'Agencies and staff', section: 'admin' }],
};

const ROLE_LABEL: Record<Role, string> = {
  keyworker: 'Keyworker',
  referrer: 'Referral officer',
  manager: 'Manager',
  auditor: 'Auditor',
  area_auditor: 'Area auditor',
  admin: 'Administrator',
};

/** The navigation items for a role (empty for an unknown role). */
export function navFor(role: Role): NavItem[] {
  return NAV[role] ?? [];
}

/** Wraps a page; moves focus to the page heading on navigation for screen-reader users. */
export function AppShell({ route, children }: { route: Route; children: ReactNode }) {
  const { user, signOut } = useSession();
  const live = useLiveStatus();
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    // Pages load on demand, so the heading may appear a moment after the route changes:
    // wait for it (briefly), unless the user has already moved focus somewhere.
    let frame = 0;
    const started = performance.now();
    const tryFocus = () => {
      const active = document.activeElement;
      const userMoved = active && active !== document.body && !mainRef.current?.contains(active) && !active.closest('nav');
      const h1 = mainRef.current?.querySelector('h1');
      if (h1 && !userMoved) {
        h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
        return;
      }
      if (!userMoved && performance.now() - started < 3000) frame = requestAnimationFrame(tryFocus);
    };
    tryFocus();
    return () => cancelAnimationFrame(frame);
  }, [route.path]);

  if (!user) return null;
  const items = navFor(user.role);
  const current = route.segments.join('/');
  const isCurrent = (item: NavItem) =>
    current === item.section || (current.startsWith(`${item.section}/`) && !items.some((o) => o !== item && current.startsWith(o.section) && o.section.length > item.section.length));

  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current?.focus(); }}>
        Skip to main content
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">◆</span> Pathways
        </div>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={isCurrent(item) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {SEARCHING_ROLES.includes(user.role) && <HeaderSearch />}
        <div className="who">
          <span className={`live live-${live}`} title="Live updates">
            <span className="dot" aria-hidden="true" />
            {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Offline'}
          </span>
          <span className="user" data-testid="signed-in-user">
            <strong>{user.name}</strong>
            <span className="muted">
              {ROLE_LABEL[user.role] ?? user.role}
              {user.agency?.name ? ` · ${user.agency.name}` : ''}
            </span>
          </span>
          <button type="button" className="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
