/**
 * HTTP API throughput and latency on SQLite (`synchronous=FULL`), loopback only.
 *
 * (a) ceiling: a bare Express 5 route doing one synced better-sqlite3 insert per request
 *     (autocommit: one fsync each) — the most requests a second this disk allows when
 *     each waits for its own commit;
 * (b) the full API: signed-in (bearer token looked up per request), zod-validated journey
 *     transitions (`POST /api/v1/cases/:id/events`) through the engine with group commit
 *     and the measures kept in the same transaction, exactly as `pathways serve` runs.
 *
 * Each is driven twice: at a fixed offered load (BENCH_API_RATE per second, default 500,
 * for BENCH_API_SECONDS, default 10: the p99 of fewer samples moves with any one stall)
 * for p50/p99 latency, and closed-loop with
 * BENCH_API_CLIENTS (default 64) concurrent clients for the most it sustains. The load
 * generator runs in its own process (bench/load-client.ts), as real clients would; each
 * server first gets one second of load that is not counted (JIT, page cache). Open-loop
 * latency counts from when each request was due, so a server that falls behind shows it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import express from 'express';
import { hashPassword } from '../src/auth/password.ts';
import { createAgency, createStaff } from '../src/agencies/agency-commands.ts';
import { SYSTEM_ACTOR } from '../src/engine/engine.ts';
import { recordPerson } from '../src/people/person-commands.ts';
import { startPathways } from '../cli/commands/serve.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { startLoadClient, type LoadJob, type RunResult } from './load-client.ts';

/** One JSON POST from the parent (the sign-in); returns the body. */
function post(agent: Agent, port: number, path: string, body: string): Promise<string> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Main-thread time (event loop busy), process CPU and garbage-collection pauses while `work` runs. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; busyMs: number; cpuMs: number; gcPauses: number[] }> {
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  try {
    const value = await work();
    const used = process.cpuUsage(cpu);
    return { value, busyMs: performance.eventLoopUtilization(elu).active, cpuMs: (used.user + used.system) / 1000, gcPauses };
  } finally {
    gc.disconnect();
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** The bare route: one synced insert per request. */
async function startCeiling(file: string): Promise<{ port: number; close(): Promise<void> }> {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (id integer primary key, payload text not null)');
  const insert = db.prepare('insert into t (payload) values (?)');
  const app = express();
  app.use(express.json());
  app.post('/ceiling', (req, res) => {
    const info = insert.run(JSON.stringify(req.body));
    res.status(200).json({ id: Number(info.lastInsertRowid) });
  });
  const server = createServer(app);
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}

export const bench: BenchModule = {
  name: 'api',
  summary: 'HTTP API: signed-in, validated journey transitions/s and latency against a bare Express route doing one synced insert per request',
  async run(): Promise<Figure[]> {
    const rate = envInt('BENCH_API_RATE', 500);
    const seconds = envInt('BENCH_API_SECONDS', 10);
    const clients = envInt('BENCH_API_CLIENTS', 64);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-api-'));
    const load = startLoadClient();
    try {
      // (a) the ceiling. Each server gets one second of load first (JIT, page cache), not counted.
      const ceiling = await startCeiling(join(dir, 'ceiling.db'));
      const ceilingJob = (mode: LoadJob['mode'], n: number, secs: number): LoadJob => ({ mode, port: ceiling.port, token: null, target: { kind: 'ceiling', clients: n }, rate, seconds: secs });
      await load.run(ceilingJob('open', 256, 1));
      const ceilOpen = await load.run(ceilingJob('open', 256, seconds));
      const ceilClosed = await measured(() => load.run(ceilingJob('closed', clients, seconds)));
      await ceiling.close();
      console.log(`   (a) ceiling: ${(ceilOpen.ok / ceilOpen.seconds).toFixed(0)}/s offered ${rate}/s; closed loop ${(ceilClosed.value.ok / ceilClosed.value.seconds).toFixed(0)}/s`);

      // (b) the full API
      const store = await openStore(`sqlite:${join(dir, 'api.db')}`);
      await migrate(store);
      const at = new Date().toISOString();
      const password = 'bench keyworker password';
      const running = await startPathways(store, { port: 0 });
      try {
        const agency = (await createAgency(running.engine, SYSTEM_ACTOR, { name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench' })).row;
        const user = (await createStaff(running.engine, SYSTEM_ACTOR, { email: 'kw@bench.example', name: 'Bench Keyworker', passwordHash: await hashPassword(password), role: 'keyworker', agencyId: agency.id })).row;
        const port = Number(new URL(running.server.url).port);
        const agent = new Agent({ keepAlive: true });
        const login = await post(agent, port, '/api/v1/auth/login', JSON.stringify({ email: user.email, password }));
        agent.destroy();
        const token = (JSON.parse(login) as { token: string }).token;
        // Enough fresh journeys for the run (eight events each, at up to four times the offered rate).
        const poolSize = (secs: number) => Math.ceil((rate * 4 * secs) / 8) + clients * 2;
        const open = async (n: number) => {
          const ids: string[] = [];
          await Promise.all(
            Array.from({ length: n }, async () => {
              const viewer = { userId: user.id, role: 'keyworker' as const, agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
              const { row: person } = await recordPerson(running.engine, viewer, { givenName: 'Bench', familyName: 'Person', dateOfBirth: '1980-01-01', sex: 'male' }, at);
              const opened = await running.engine.openCase({ personId: person.id, leadAgencyId: agency.id, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: user.id, agencyId: agency.id } });
              ids.push(opened.row.id);
            }),
          );
          return ids;
        };
        const journeyJob = (mode: LoadJob['mode'], n: number, caseIds: string[], secs: number): LoadJob => ({ mode, port, token, target: { kind: 'journey', caseIds, clients: n }, rate, seconds: secs });
        await load.run(journeyJob('open', 256, await open(poolSize(1)), 1));
        const openIds = await open(poolSize(seconds));
        const apiOpen = await measured(() => load.run(journeyJob('open', 256, openIds, seconds)));
        const closedIds = await open(poolSize(seconds));
        const apiClosed = await measured(() => load.run(journeyJob('closed', clients, closedIds, seconds)));
        console.log(`   (b) API: ${(apiOpen.value.ok / apiOpen.value.seconds).toFixed(0)}/s offered ${rate}/s; closed loop ${(apiClosed.value.ok / apiClosed.value.seconds).toFixed(0)}/s`);

        const ceilRate = ceilClosed.value.ok / ceilClosed.value.seconds;
        const apiRate = apiClosed.value.ok / apiClosed.value.seconds;
        const lat = (r: RunResult) => `${percentile(r.latencies, 0.5).toFixed(1)} / ${percentile(r.latencies, 0.99).toFixed(1)}`;
        const perTransition = (m: { busyMs: number; cpuMs: number; value: RunResult }) => ({ busy: (m.busyMs * 1000) / Math.max(1, m.value.ok), cpu: (m.cpuMs * 1000) / Math.max(1, m.value.ok) });
        const closedCost = perTransition(apiClosed);
        const ceilCost = perTransition(ceilClosed);
        return [
          { name: `(a) ceiling, offered ${rate}/s for ${seconds} s`, value: ceilOpen.ok / ceilOpen.seconds, unit: 'req/s', note: `p50/p99 ${lat(ceilOpen)} ms, ${ceilOpen.failed} failed` },
          { name: `(a) ceiling, ${clients} clients closed loop`, value: ceilRate, unit: 'req/s', note: `p50/p99 ${lat(ceilClosed.value)} ms; main thread ${ceilCost.busy.toFixed(0)} µs busy per request` },
          { name: `(b) API transitions, offered ${rate}/s for ${seconds} s`, value: apiOpen.value.ok / apiOpen.value.seconds, unit: 'transitions/s', note: `${apiOpen.value.sent} sent, ${apiOpen.value.failed} refused (${apiOpen.value.conflicts} conflicts), ${apiOpen.value.late} sent late` },
          {
            name: `(b) API latency p50 / p99 at ${rate}/s`,
            value: lat(apiOpen.value),
            unit: 'ms',
            note: `from when each request was due; aim: p99 under 25 ms; ${apiOpen.gcPauses.length} GC pauses, ${apiOpen.gcPauses.filter((p) => p > 5).length} over 5 ms, longest ${Math.max(0, ...apiOpen.gcPauses).toFixed(1)} ms`,
          },
          { name: `(b) API transitions, ${clients} clients closed loop`, value: apiRate, unit: 'transitions/s', note: `p50/p99 ${lat(apiClosed.value)} ms, ${apiClosed.value.failed} refused, ${apiClosed.value.journeys} journeys walked` },
          { name: '(b) / (a), closed loop', value: apiRate / ceilRate, unit: '×', note: 'aim: at least 1 (group commit)' },
          {
            name: '(b) server main thread per API transition',
            value: closedCost.busy,
            unit: 'µs',
            note: `event loop busy (incl. fsync waits); CPU ${closedCost.cpu.toFixed(0)} µs; load generator in its own process; load average ${loadavg()[0]!.toFixed(1)}`,
          },
        ];
      } finally {
        await running.stop();
        await store.close();
      }
    } finally {
      load.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
