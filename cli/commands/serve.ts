/**
 * `pathways serve --port P [--host H]`: migrates the store, creates the first admin on an
 * empty database (PATHWAYS_ADMIN_EMAIL / PATHWAYS_ADMIN_PASSWORD), and serves the API
 * (and the built web app, when present) with the measures kept current and the timer
 * sweeper running. Stops cleanly on SIGINT / SIGTERM.
 */
import { resolveToken } from '../../src/auth/bearer-tokens.ts';
import { ensureFirstAdmin } from '../bootstrap-admin.ts';
import { metricsRoutes } from '../../api/routes/metrics-routes.ts';
import { viewerOf } from '../../api/routes/route-helpers.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { openStore, type Store } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachLive } from '../../src/live/live-server.ts';
import { agencyRoom } from '../../src/live/live-events.ts';
import { attachAttendanceReports } from '../../src/keywork/attendance-reports.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import type { Command } from '../main.ts';

/** A running Pathways: store, engine and http server, and how to stop them. */
export interface RunningPathways {
  store: Store;
  engine: Engine;
  server: RunningServer;
  stop(): Promise<void>;
}

/** Starts everything on an open, migrated store (shared by `serve` and `demo`). */
export async function startPathways(store: Store, options: { port: number; host?: string }): Promise<RunningPathways> {
  const engine = createEngine(store);
  const detachMetrics = attachMetrics(engine);
  const server = await startServer({ store, engine, routes: metricsRoutes, port: options.port, ...(options.host ? { host: options.host } : {}) });
  // Live updates on the same port, signed in with the same bearer tokens.
  const live = attachLive({
    httpServer: server.httpServer,
    store,
    engine,
    authenticate: async (token) => {
      const user = await resolveToken(store.db, token, new Date());
      return user ? viewerOf(user) : null;
    },
  });
  // Attendance goes back to the referring agency where the person agreed (or the law requires it).
  const detachReports = attachAttendanceReports({ engine, db: store.db, io: live.io, room: agencyRoom });
  engine.startSweeper();
  return {
    store,
    engine,
    server,
    async stop() {
      detachReports();
      await live.close();
      await server.close();
      await engine.close();
      detachMetrics();
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

/** Parses `--port N` and `--host H`; returns an error message for anything else. */
export function parseServeArgs(args: string[], defaults: { port: number }): { port: number; host?: string } | string {
  let port = defaults.port;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg === '--port' && value !== undefined) {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port must be a number 0–65535, not "${value}"`;
      i++;
    } else if (arg === '--host' && value !== undefined) {
      host = value;
      i++;
    } else {
      return `unexpected argument "${arg}"`;
    }
  }
  return host ? { port, host } : { port };
}

export const serveCommand: Command = {
  summary: 'Serve the API (and the web app) on a port',
  usage:
    'Usage: pathways serve [--port P] [--host H]\n\n' +
    'Migrates the store named by DATABASE_URL, creates the first admin on an empty database from\n' +
    'PATHWAYS_ADMIN_EMAIL and PATHWAYS_ADMIN_PASSWORD, and serves on H:P (default 127.0.0.1, PORT or 3000).\n' +
    'PATHWAYS_TOKEN_TTL_MINUTES sets how long sign-in tokens last (default 720).',
  async run(args) {
    const parsed = parseServeArgs(args, { port: Number(process.env.PORT ?? 3000) });
    if (typeof parsed === 'string') {
      console.error(`pathways serve: ${parsed}\n${this.usage}`);
      return 2;
    }
    const store = await openStore();
    try {
      await migrate(store);
      const admin = await ensureFirstAdmin(store);
      if (admin.created) console.log(`Created the first administrator: ${admin.email}`);
      const running = await startPathways(store, parsed);
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
