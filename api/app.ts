/**
 * The Pathways HTTP API as an Express 5 app: a request id and log line per request,
 * security headers, JSON bodies (≤ 1 MB), every declared route (the measures included),
 * the web app's built files — or a page saying how to build them —, and one error handler
 * that answers every failure as `application/problem+json`.
 *
 * `createApp` takes the store and engine rather than opening them, so tests run the real
 * app against a real store through supertest, and the server and the live fan-out share
 * one engine.
 */
import { join } from 'node:path';
import express, { type Express } from 'express';
import { pino, type Logger } from 'pino';
import type { Store } from '../src/db/database.ts';
import { directSql } from '../src/db/direct-sql.ts';
import type { Engine } from '../src/engine/engine-types.ts';
import { DEFAULT_TOKEN_TTL_MINUTES } from '../src/auth/bearer-tokens.ts';
import { DEFAULT_CONSENT_MONTHS } from '../src/consent/consent-term.ts';
import { DEFAULT_KEYWORK_SETTINGS, type KeyworkSettings } from '../machines/keywork-codes.ts';
import { createLoginThrottle, type LoginThrottle } from '../src/auth/login-throttle.ts';
import { createTokenCache } from '../src/auth/token-cache.ts';
import type { AppContext } from './context.ts';
import { noStore } from './http/cache-control.ts';
import { metricsEndpoint, requestMetrics, type OperatorMetricsOptions } from './http/operator-metrics.ts';
import { jsonBody } from './http/json-body.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { apiRoutes } from './routes/index.ts';
import { mountRoutes } from './routing/mount-routes.ts';
import type { AnyRoute } from './routing/route.ts';
import { webAppRoutes } from './http/web-app.ts';

export interface AppOptions {
  store: Store;
  engine: Engine;
  /** The clock (tests move it); defaults to the system clock. */
  now?: () => Date;
  /** Set when `PATHWAYS_CLOCK` moves `now`: one line saying how, shown by `/readyz`. */
  clockNotice?: string;
  /** Token lifetime in minutes; defaults to 720 (12 hours). */
  tokenTtlMinutes?: number;
  /** Months a consent runs when no end date is given; defaults to 12 (`PATHWAYS_CONSENT_MONTHS`). */
  consentMonths?: number;
  /** The follow-up rules for a did-not-attend; defaults to 2 working days, a review after 3 missed in 28 days (`PATHWAYS_FOLLOW_UP_*`). */
  followUp?: KeyworkSettings;
  loginThrottle?: LoginThrottle;
  /** How long a signed-in token is trusted without re-reading it (ms, default 2000; 0 turns the cache off). */
  tokenCacheMs?: number;
  /** Further routes, documented alongside the rest (the API's own are always served). */
  routes?: readonly AnyRoute[];
  /** Folder of the built web app to serve at `/`; defaults to `web/dist`; null serves no web app and no build page. */
  webDist?: string | null;
  /** Where request lines and unexpected errors go; defaults to warnings and errors only, on stderr. */
  logger?: Logger;
  /** Serve `GET /metrics` (Prometheus) to this operator token, and time every request into it. */
  operatorMetrics?: OperatorMetricsOptions;
  /**
   * Express's `trust proxy` (`PATHWAYS_TRUST_PROXY`): the balancers whose `X-Forwarded-For`
   * names the client, for sign-in throttling by address — a number of hops or addresses and
   * subnets. Absent or false: the connecting address, and the header is ignored.
   */
  trustProxy?: number | string | false;
}

/** The app: an Express app, usable as node's request handler (or by supertest). */
export type PathwaysApp = Express & {
  /** The context its routes use (for the live fan-out). */
  locals: { ctx: AppContext };
};

/** Where `npm run build:web` writes the web app. */
export const DEFAULT_WEB_DIST = join(import.meta.dirname, '..', 'web', 'dist');

/** Builds the app. Nothing listens until the caller does (see `server.ts`). */
export function createApp(options: AppOptions): PathwaysApp {
  const ctx: AppContext = {
    store: options.store,
    engine: options.engine,
    now: options.now ?? (() => new Date()),
    tokenTtlMinutes: options.tokenTtlMinutes ?? DEFAULT_TOKEN_TTL_MINUTES,
    consentMonths: options.consentMonths ?? DEFAULT_CONSENT_MONTHS,
    followUp: options.followUp ?? DEFAULT_KEYWORK_SETTINGS,
    loginThrottle: options.loginThrottle ?? createLoginThrottle(options.store.db),
    // On PostgreSQL several nodes may serve one database: a token revoked through one must
    // fail on the next request to any other, so each request reads the token row (an
    // indexed lookup that does not wait on writers there). SQLite is one process.
    tokenCache: createTokenCache(options.tokenCacheMs ?? (options.store.dialect === 'postgres' ? 0 : 2000)),
    ...(options.store.dialect === 'postgres' ? { poolSql: directSql(options.store.db, null) } : {}),
    ...(options.clockNotice ? { clockNotice: options.clockNotice } : {}),
  };
  const logger = options.logger ?? pino({ level: 'warn' }, pino.destination(2));
  const app = express() as PathwaysApp;
  app.locals.ctx = ctx;
  app.disable('x-powered-by');
  // API answers are never cached, so an ETag would only cost a hash of every body.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? false);
  // Plain HTTP is the default (TLS ends at a proxy in production), so requests must not be
  // upgraded to https by the browser; everything else is helmet's strict default.
  app.use(requestLog(logger));
  if (options.operatorMetrics) {
    app.use(requestMetrics(options.operatorMetrics.registry));
    app.use(metricsEndpoint(options.operatorMetrics));
  }
  app.use(securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(noStore());
  app.use(jsonBody());
  app.use(mountRoutes(ctx, apiRoutes(options.routes ?? [])));
  const webDist = options.webDist === undefined ? DEFAULT_WEB_DIST : options.webDist;
  if (webDist) app.use(webAppRoutes(webDist));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
