/**
 * A small hash router: `#/cases/123?tab=timeline`. Hash routes need nothing from the
 * server beyond `index.html`, so any static host (and the API server) can serve the app.
 */
import { useEffect, useState, type AnchorHTMLAttributes } from 'react';

export interface Route {
  /** Path segments, e.g. `['cases', '123']`. */
  segments: string[];
  query: URLSearchParams;
  path: string;
}

function parseHash(): Route {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, query: new URLSearchParams(queryPart), path: `/${segments.join('/')}` };
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const onChange = () => setRoute(parseHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to an app path such as `/cases/123`. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const hash = `#${path}`;
  if (options.replace) window.location.replace(hash);
  else window.location.hash = hash;
}

/** Builds an `href` for an app path. */
export function href(path: string): string {
  return `#${path}`;
}

/** A link to an app path that behaves like a normal link for keyboard and middle-click. */
export function Link({ to, ...rest }: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  return <a {...rest} href={href(to)} />;
}
