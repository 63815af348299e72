/**
 * Live-update latency: from the HTTP response of a journey transition to the arrival of
 * its `case.changed` at a connected manager's socket, p50/p99, with journeys moved over
 * the full API at a steady rate while 50 sockets are connected. Three processes on
 * loopback: the server, the HTTP load generator (bench/load-client.ts) and this one with
 * the sockets, so none shares another's event loop; both ends stamp times on the
 * machine's monotonic clock. A message that arrives before the HTTP response counts as 0 ms.
 *
 * Sizes (env): BENCH_LIVE_RATE (500 transitions/s), BENCH_LIVE_SECONDS (10),
 * BENCH_LIVE_SOCKETS (50, of which a fifth are managers), BENCH_LIVE_JOURNEYS (500),
 * BENCH_DIR (parent of the temp dir).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { io as connect, type Socket } from 'socket.io-client';
import { issueToken, resolveToken } from '../src/auth/bearer-tokens.ts';
import { metricsRoutes } from '../api/routes/metrics-routes.ts';
import { viewerOf } from '../api/routes/route-helpers.ts';
import { startServer } from '../api/server.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { createEngine } from '../src/engine/engine.ts';
import { attachLive } from '../src/live/live-server.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { monotonicMs, startLoadClient } from './load-client.ts';

const CHILD_FLAG = '--serve-live-bench';

/** Child mode: serve the API with live updates on the store at `url`, print the address, run until killed. */
async function serveChild(url: string): Promise<void> {
  const store = await openStore(url);
  const engine = createEngine(store);
  attachMetrics(engine);
  const server = await startServer({ store, engine, routes: metricsRoutes, port: 0, host: '127.0.0.1', webDist: null });
  const live = attachLive({
    httpServer: server.httpServer,
    store,
    engine,
    authenticate: async (token) => {
      const user = await resolveToken(store.db, token, new Date());
      return user ? viewerOf(user) : null;
    },
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await live.close();
      await server.close();
      await engine.close();
      await store.close();
      process.exit(0);
    })();
  });
}

if (process.argv[2] === CHILD_FLAG && process.argv[3]) await serveChild(process.argv[3]);

async function prepare(url: string, sockets: number, journeys: number) {
  const store = await openStore(url);
  try {
    await migrate(store);
    const at = new Date().toISOString();
    const agencyId = randomUUID();
    await store.db.insertInto('agencies').values({ id: agencyId, name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench', created_at: at }).execute();
    const user = async (role: string): Promise<{ id: string; token: string }> => {
      const id = randomUUID();
      await store.db.insertInto('users').values({ id, email: `${id}@example.test`, name: role, password_hash: 'x', role, agency_id: agencyId, created_at: at, disabled_at: null }).execute();
      return { id, token: (await issueToken(store.db, id, new Date(), 120)).token };
    };
    const writer = await user('keyworker');
    const managers = Math.max(1, Math.round(sockets / 5));
    const listeners: Array<{ role: string; token: string }> = [];
    const keyworkerIds: string[] = [writer.id];
    for (let i = 0; i < sockets; i += 1) {
      const role = i < managers ? 'manager' : 'keyworker';
      const u = await user(role);
      listeners.push({ role, token: u.token });
      if (role === 'keyworker') keyworkerIds.push(u.id);
    }
    const engine = createEngine(store);
    const cases: Array<{ id: string; version: number }> = [];
    for (let i = 0; i < journeys; i += 1) {
      const personId = randomUUID();
      await store.db
        .insertInto('people')
        .values({ id: personId, given_name: 'Bench', family_name: `Person ${i}`, date_of_birth: '1980-01-01', sex: 'female', ethnicity: null, postcode_district: 'BN1', details: '{}', created_by_agency_id: agencyId, created_at: at })
        .execute();
      const opened = await engine.openCase({ personId, leadAgencyId: agencyId, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: writer.id, agencyId } });
      cases.push({ id: opened.row.id, version: opened.row.version });
    }
    await engine.close();
    return { writer, listeners, keyworkerIds, cases };
  } finally {
    await store.close();
  }
}

async function startChild(url: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', resolve('bin/run-ts.js'), resolve('bench/live.ts'), CHILD_FLAG, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const baseUrl = await new Promise<string>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the bench server exited early (code ${code})`)));
    lines.once('line', (line) => ok((JSON.parse(line) as { url: string }).url));
  });
  return { child, baseUrl };
}

export const bench: BenchModule = {
  name: 'live',
  summary: 'live-update latency, HTTP response of a transition → manager socket, at 500 transitions/s with 50 sockets',
  async run() {
    const rate = envInt('BENCH_LIVE_RATE', 500);
    const seconds = envInt('BENCH_LIVE_SECONDS', 10);
    const socketCount = envInt('BENCH_LIVE_SOCKETS', 50);
    const journeyCount = envInt('BENCH_LIVE_JOURNEYS', 500);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-live-'));
    const url = `sqlite:${join(dir, 'pathways.db')}`;
    const world = await prepare(url, socketCount, journeyCount);
    const { child, baseUrl } = await startChild(url);
    const load = startLoadClient();
    const sockets: Array<{ socket: Socket; role: string }> = [];
    try {
      // Arrival time per manager socket and `id:version`.
      const arrivals = new Map<string, number[]>();
      let received = 0;
      for (const l of world.listeners) {
        const socket = connect(baseUrl, { auth: { token: l.token }, transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((ok, fail) => {
          socket.once('connect', () => ok());
          socket.once('connect_error', fail);
        });
        socket.on('case.changed', (m: { id: string; version: number }) => {
          received += 1;
          if (l.role !== 'manager') return;
          const key = `${m.id}:${m.version}`;
          const list = arrivals.get(key) ?? [];
          list.push(monotonicMs());
          arrivals.set(key, list);
        });
        sockets.push({ socket, role: l.role });
      }
      const managers = sockets.filter((s) => s.role === 'manager').length;

      // Open-loop load from its own process: request i is due at start + i / rate, each to a
      // journey with no request in flight; answers come back stamped on the monotonic clock.
      const result = await load.run({
        mode: 'open',
        port: Number(new URL(baseUrl).port),
        token: world.writer.token,
        target: { kind: 'reassign', caseIds: world.cases.map((c) => c.id), keyworkerIds: world.keyworkerIds },
        rate,
        seconds,
      });
      const responded = new Map(result.answered);
      const httpTimes = result.latencies;
      const { sent, failed, late } = result;
      const elapsed = result.seconds;
      // Let the last messages arrive.
      await new Promise((r) => setTimeout(r, 1500));

      const latencies: number[] = [];
      let missing = 0;
      for (const [key, t1] of responded) {
        const got = arrivals.get(key) ?? [];
        missing += managers - got.length;
        for (const t of got) latencies.push(Math.max(0, t - t1));
      }
      const note = `${sockets.length} sockets (${managers} managers), ${rate}/s for ${seconds} s, server, load generator and sockets in three processes on loopback`;
      const figures: Figure[] = [
        { name: 'transitions sent over HTTP', value: sent, note: `${(responded.size / elapsed).toFixed(0)}/s answered; ${late} sent late (every journey busy), ${failed} failed` },
        { name: 'transition HTTP p50', value: percentile(httpTimes, 0.5), unit: 'ms', note: 'from when each request was due' },
        { name: 'transition HTTP p99', value: percentile(httpTimes, 0.99), unit: 'ms' },
        { name: 'live latency (response → manager socket) p50', value: percentile(latencies, 0.5), unit: 'ms', note },
        { name: 'live latency (response → manager socket) p99', value: percentile(latencies, 0.99), unit: 'ms', note },
        { name: 'live messages missing at manager sockets', value: missing, note: `of ${responded.size * managers} expected; ${received} case.changed received in all` },
      ];
      for (const f of figures) console.log(`   ${f.name}: ${typeof f.value === 'number' ? f.value.toFixed(2) : f.value}${f.unit ? ` ${f.unit}` : ''}`);
      return figures;
    } finally {
      load.close();
      for (const s of sockets) s.socket.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
