/**
 * `pathways serve --port P [--host H]`: migrates the store, creates the first admin on an
 * empty database (PATHWAYS_ADMIN_EMAIL / PATHWAYS_ADMIN_PASSWORD), and serves the API
 * (and the built web app, when present) with the measures kept current and the timer
 * sweeper running. Stops cleanly on SIGINT / SIGTERM.
 */
import { resolveToken } from '../../src/auth/bearer-tokens.ts';
import { ensureFirstAdmin } from '../bootstrap-admin.ts';
import { viewerOf } from '../../api/routes/route-helpers.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { openStore, type Store } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import { withStartupLock } from '../../src/db/startup-lock.ts';
import { createOperatorRegistry } from '../operator-metrics.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachLive } from '../../src/live/live-server.ts';
import { agencyRoom } from '../../src/live/live-events.ts';
import { attachAttendanceReports } from '../../src/keywork/attendance-reports.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { startCounterFold } from '../../src/metrics/counter-fold.ts';
import { clockFrom, describeClock, type ClockSetting } from '../../src/service-clock.ts';
import type { KeyworkSettings } from '../../machines/keywork-codes.ts';
import { pino, type Logger } from 'pino';
import { webAppBuilt } from '../../api/http/web-app.ts';
import { parseCommandArgs, type OptionSpec } from '../command-args.ts';
import type { PathwaysConfig } from '../config.ts';
import type { Command } from '../main.ts';

/** A running Pathways: store, engine and http server, and how to stop them. */
export interface RunningPathways {
  store: Store;
  engine: Engine;
  server: RunningServer;
  stop(): Promise<void>;
}

/** How `startPathways` runs; everything but the port has a default. */
export interface StartOptions {
  port: number;
  host?: string;
  tokenTtlMinutes?: number;
  /** Request lines and unexpected errors (default: warnings and errors on stderr). */
  logger?: Logger;
  /** The built web app (default `web/dist`). */
  webDist?: string;
  /** SQLite: sync inside each COMMIT (`PATHWAYS_SYNC_IN_COMMIT`). */
  syncInCommit?: boolean;
  /** Serve `GET /metrics` to this operator token (`PATHWAYS_METRICS_TOKEN`); null or absent: no /metrics. */
  metricsToken?: string | null;
  /** How long a stop waits for requests in flight before closing their connections (ms, default 10 000). */
  shutdownGraceMs?: number;
  /** The service's time zone (`PATHWAYS_TIME_ZONE`; default Europe/London). */
  timeZone?: string;
  /** The settable clock (`PATHWAYS_CLOCK`); null or absent: the real time. */
  clock?: ClockSetting | null;
  /** PostgreSQL write batches in flight (`PATHWAYS_PG_WRITERS`); null or absent: one. */
  pgWriters?: number | null;
  /** PostgreSQL: a batch's events on distinct streams side by side (`PATHWAYS_PG_SIDE_BY_SIDE`); absent: on. */
  pgSideBySide?: boolean;
  /** Express's `trust proxy` (`PATHWAYS_TRUST_PROXY`); absent or false: off. */
  trustProxy?: number | string | false;
  /** Months a consent runs when no end date is given (`PATHWAYS_CONSENT_MONTHS`; default 12). */
  consentMonths?: number;
  /** The follow-up rules for a did-not-attend (`PATHWAYS_FOLLOW_UP_*`; default 2 working days, a review after 3 missed in 28 days). */
  followUp?: KeyworkSettings;
}

/** Starts everything on an open, migrated store (shared by `serve` and `demo`). */
export async function startPathways(store: Store, options: StartOptions): Promise<RunningPathways> {
  // One clock for the engine (timers, effective times), the API (measures' as-of, tokens) and the live sign-in.
  const now = clockFrom(options.clock ?? null);
  const engine = createEngine(store, {
    now,
    ...(options.syncInCommit ? { syncInCommit: true } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.pgWriters ? { pgConcurrency: options.pgWriters } : {}),
    ...(options.pgSideBySide === false ? { pgSideBySide: false } : {}),
  });
  // On PostgreSQL commits append their counter changes and every node folds them in (src/metrics/counter-fold.ts).
  const postgres = store.dialect === 'postgres';
  const detachMetrics = attachMetrics(engine, { appendCounters: postgres });
  const counterFold = postgres
    ? startCounterFold(store.db, (err) => (options.logger ? options.logger.error({ err }, 'counter fold failed') : console.error('Counter fold failed:', err)))
    : null;
  let liveSockets = (): number => 0;
  const operator = options.metricsToken ? createOperatorRegistry({ engine, store, sockets: () => liveSockets() }) : null;
  const server = await startServer({
    ...(operator && options.metricsToken ? { operatorMetrics: { registry: operator.registry, token: options.metricsToken } } : {}),
    store,
    engine,
    now,
    ...(options.clock ? { clockNotice: describeClock(options.clock) } : {}),
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    ...(options.tokenTtlMinutes ? { tokenTtlMinutes: options.tokenTtlMinutes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.webDist ? { webDist: options.webDist } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.consentMonths ? { consentMonths: options.consentMonths } : {}),
    ...(options.followUp ? { followUp: options.followUp } : {}),
  });
  // Live updates on the same port, signed in with the same bearer tokens.
  const live = attachLive({
    httpServer: server.httpServer,
    store,
    engine,
    authenticate: async (token) => {
      const user = await resolveToken(store.db, token, now());
      return user ? viewerOf(user) : null;
    },
  });
  await live.ready;
  liveSockets = () => live.io.engine.clientsCount;
  // Attendance goes back to the referring agency where the person agreed (or the law requires it).
  const detachReports = attachAttendanceReports({ engine, db: store.db, io: live.io, room: agencyRoom });
  engine.startSweeper();
  return {
    store,
    engine,
    server,
    /**
     * Graceful: no new timers are swept, sockets are told and closed, the port stops taking
     * connections while requests in flight are answered (up to the grace period), and the
     * engine finishes every unit it was given before the store may close.
     */
    async stop() {
      await engine.stop();
      detachReports();
      await live.close();
      await server.close({ graceMs: options.shutdownGraceMs ?? 10_000 });
      await engine.close();
      await counterFold?.stop();
      detachMetrics();
      operator?.detach();
    },
  };
}

/** Resolves when the process is asked to stop. */
export function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** The options `serve` and `demo` take. */
const SERVE_OPTIONS: Record<string, OptionSpec> = {
  port: { type: 'string', hint: 'a port number 0–65535 (e.g. --port 8080)' },
  host: { type: 'string', hint: 'an address to listen on (e.g. --host 0.0.0.0)' },
};

/** Parses `--port N` and `--host H`; returns an error message for anything else. */
export function parseServeArgs(args: string[], defaults: { port: number }): { port: number; host?: string } | string {
  const parsed = parseCommandArgs(args, SERVE_OPTIONS);
  if (typeof parsed === 'string') return parsed;
  const { port: rawPort, host } = parsed.values as { port?: string; host?: string };
  const port = rawPort === undefined ? defaults.port : /^\d+$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port needs ${SERVE_OPTIONS.port!.hint}, got "${rawPort}"`;
  if (host !== undefined && host.trim() === '') return `--host needs ${SERVE_OPTIONS.host!.hint}, got ""`;
  return host ? { port, host } : { port };
}

/** What every served process does with its configuration: logs, web app check, start options. */
export function serveOptions(config: PathwaysConfig, logger: Logger): Omit<StartOptions, 'port' | 'host'> {
  if (!webAppBuilt(config.webDist)) {
    // Loud, because the product is only half there: the API answers, the browser gets a page saying how to build the app.
    console.warn(
      `\n*** The web app is not built (no ${config.webDist}/index.html). The API is served; / shows how to build it.\n` +
        '*** Run `npm run build:web` once, then start again.\n',
    );
  }
  if (config.clock) {
    // Loud, because every deadline, flag and measure is then computed for another day than today.
    console.warn(`\n*** ${describeClock(config.clock)}.\n*** Timers, flags and measures follow that clock. Training and acceptance only: unset PATHWAYS_CLOCK for real work.\n`);
  }
  return {
    tokenTtlMinutes: config.tokenTtlMinutes,
    logger,
    webDist: config.webDist,
    syncInCommit: config.syncInCommit,
    timeZone: config.timeZone,
    consentMonths: config.consentMonths,
    followUp: config.followUp,
    clock: config.clock,
    metricsToken: config.metricsToken,
    pgWriters: config.pgWriters,
    pgSideBySide: config.pgSideBySide,
    trustProxy: config.trustProxy,
  };
}

export const serveCommand: Command = {
  summary: 'Serve the API (and the web app) on a port',
  usage:
    'Usage: pathways serve [--port P] [--host H]\n\n' +
    'Migrates the store named by DATABASE_URL, creates the first admin on an empty database from\n' +
    'PATHWAYS_ADMIN_EMAIL and PATHWAYS_ADMIN_PASSWORD, and serves on H:P (default 127.0.0.1, PORT or 3000).\n' +
    'PATHWAYS_TOKEN_TTL_MINUTES sets how long sign-in tokens last (default 720); one JSON log line per\n' +
    'request goes to stdout (PATHWAYS_LOG_LEVEL, default info). `pathways help` lists every variable.',
  async run(args, config) {
    const parsed = parseServeArgs(args, { port: config.port });
    if (typeof parsed === 'string') {
      console.error(`pathways serve: ${parsed}\n${this.usage}`);
      return 2;
    }
    const logger = pino({ level: config.logLevel });
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      await migrate(store);
      // Several nodes may start together on one empty database: one creates the admin.
      const admin = await withStartupLock(store, 'bootstrap', () => ensureFirstAdmin(store, config.firstAdmin));
      if (admin.created) console.log(`Created the first administrator: ${admin.email}`);
      const running = await startPathways(store, { ...serveOptions(config, logger), ...parsed });
      console.log(`Pathways listening on ${running.server.url} (API docs: ${running.server.url}/api/docs)`);
      const signal = await untilSignalled();
      console.log(`Stopping (${signal})…`);
      await running.stop();
      return 0;
    } finally {
      await store.close();
    }
  },
};
