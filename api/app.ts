/**
 * The Pathways HTTP API as an Express 5 app: security headers, JSON bodies (≤ 1 MB),
 * the declared routes, the web app's built files when present, and one error handler
 * that answers every failure as `application/problem+json`.
 *
 * `createApp` takes the store and engine rather than opening them, so tests run the real
 * app against a real store through supertest, and the server and the live fan-out share
 * one engine.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { Store } from '../src/db/database.ts';
import type { Engine } from '../src/engine/engine-types.ts';
import { tokenTtlFromEnv } from '../src/auth/bearer-tokens.ts';
import { createLoginThrottle, type LoginThrottle } from '../src/auth/login-throttle.ts';
import { createTokenCache } from '../src/auth/token-cache.ts';
import type { AppContext } from './context.ts';
import { jsonBody } from './http/json-body.ts';
import { securityHeaderList, securityHeaders } from './http/security-headers.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { apiRoutes } from './routes/index.ts';
import { mountRoutes } from './routing/mount-routes.ts';
import { createRouteDispatch } from './routing/route-dispatch.ts';
import type { AnyRoute } from './routing/route.ts';

export interface AppOptions {
  store: Store;
  engine: Engine;
  /** The clock (tests move it); defaults to the system clock. */
  now?: () => Date;
  /** Token lifetime in minutes; defaults to PATHWAYS_TOKEN_TTL_MINUTES or 12 hours. */
  tokenTtlMinutes?: number;
  loginThrottle?: LoginThrottle;
  /** How long a signed-in token is trusted without re-reading it (ms, default 2000; 0 turns the cache off). */
  tokenCacheMs?: number;
  /** Further routes (for example the measures), documented alongside the rest. */
  routes?: readonly AnyRoute[];
  /** Folder of the built web app to serve at `/`; defaults to `web/dist` when it exists. */
  webDist?: string | null;
}

/**
 * The app as a request handler for node's http server (or supertest): the declared routes
 * served directly (api/routing/route-dispatch.ts), everything else by the Express app.
 */
export type PathwaysApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** The context its routes use (for the live fan-out). */
  locals: { ctx: AppContext };
  /** The Express app behind the dispatcher. */
  express: Express;
};

/** Builds the app. Nothing listens until the caller does (see `server.ts`). */
export function createApp(options: AppOptions): PathwaysApp {
  const ctx: AppContext = {
    store: options.store,
    engine: options.engine,
    now: options.now ?? (() => new Date()),
    tokenTtlMinutes: options.tokenTtlMinutes ?? tokenTtlFromEnv(),
    loginThrottle: options.loginThrottle ?? createLoginThrottle(options.store.db),
    // On PostgreSQL several nodes may serve one database: a token revoked through one must
    // fail on the next request to any other, so each request reads the token row (an
    // indexed lookup that does not wait on writers there). SQLite is one process.
    tokenCache: createTokenCache(options.tokenCacheMs ?? (options.store.dialect === 'postgres' ? 0 : 2000)),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Plain HTTP is the default (TLS ends at a proxy in production), so requests must not be
  // upgraded to https by the browser; everything else is helmet's strict default.
  const helmetOptions = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };
  const routes = apiRoutes(options.routes ?? []);
  app.use(securityHeaders(helmetOptions));
  app.use(jsonBody());
  app.use(mountRoutes(ctx, routes));

  const webDist = options.webDist === undefined ? join(import.meta.dirname, '..', 'web', 'dist') : options.webDist;
  if (webDist && existsSync(join(webDist, 'index.html'))) {
    app.use(express.static(webDist, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes of the web app load its index when a browser asks for a page;
    // API paths, and clients that do not ask for HTML, keep the 404 problem.
    app.get(/^\/(?!api\/|api$|healthz|readyz).*/, (req, res, next) => {
      if (req.accepts(['json', 'html']) === 'html' && req.headers.accept?.includes('text/html')) res.sendFile(join(webDist, 'index.html'));
      else next();
    });
  }
  app.use(notFoundHandler);
  app.use(problemHandler);
  const dispatch = createRouteDispatch(ctx, routes, securityHeaderList(helmetOptions), app);
  return Object.assign(dispatch, { locals: { ctx }, express: app });
}
