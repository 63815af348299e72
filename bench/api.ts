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
 * for BENCH_API_SECONDS, default 4) for p50/p99 latency, and closed-loop with
 * BENCH_API_CLIENTS (default 64) concurrent clients for the most it sustains.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import express from 'express';
import { hashPassword } from '../api/auth/password.ts';
import { insertAgency, insertUser } from '../api/repositories/agency-repository.ts';
import { insertPerson } from '../api/repositories/person-repository.ts';
import { startPathways } from '../src/cli/commands/serve.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { envInt, type BenchModule, type Figure } from './bench-types.ts';

interface Target {
  /** Next request for one virtual client, or null when it has nothing more to send. */
  next(client: number): { path: string; body: string } | null;
  /** Told the answer, so the client can carry its version on. */
  done(client: number, status: number, body: string): void;
  clients: number;
}

interface RunResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  latencies: number[];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function post(agent: Agent, port: number, path: string, body: string, token: string | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Offers `rate` requests a second for `seconds`, each to an idle client; returns what came back. */
async function openLoop(port: number, token: string | null, target: Target, rate: number, seconds: number): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const idle: number[] = Array.from({ length: target.clients }, (_, i) => i);
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(rate * seconds);
  // Dispatch on a 5 ms tick, as many as the schedule says are due: timers are too coarse for 2 ms spacing.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) {
        const client = idle.shift();
        if (client === undefined) break; // every client busy: the server has fallen behind
        const req = target.next(client);
        if (!req) break;
        sent += 1;
        const t0 = performance.now();
        const p = post(agent, port, req.path, req.body, token)
          .then((res) => {
            latencies.push(performance.now() - t0);
            if (res.status < 300) ok += 1;
            else failed += 1;
            target.done(client, res.status, res.body);
          })
          .catch(() => {
            failed += 1;
          })
          .finally(() => {
            idle.push(client);
            inflight.delete(p);
          });
        inflight.add(p);
      }
      if (sent >= total || performance.now() - started > seconds * 1000 * 3) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inflight);
  const result = { sent, ok, failed, seconds: (performance.now() - started) / 1000, latencies };
  agent.destroy();
  return result;
}

/** `clients` clients each send back to back for `seconds`. */
async function closedLoop(port: number, token: string | null, target: Target, seconds: number): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: target.clients }, async (_, client) => {
      while (performance.now() - started < seconds * 1000) {
        const req = target.next(client);
        if (!req) return;
        sent += 1;
        const t0 = performance.now();
        const res = await post(agent, port, req.path, req.body, token);
        latencies.push(performance.now() - t0);
        if (res.status < 300) ok += 1;
        else failed += 1;
        target.done(client, res.status, res.body);
      }
    }),
  );
  agent.destroy();
  return { sent, ok, failed, seconds: (performance.now() - started) / 1000, latencies };
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

const ceilingTarget = (clients: number): Target => ({
  clients,
  next: () => ({ path: '/ceiling', body: JSON.stringify({ type: 'SCREENING_STARTED', expectedVersion: 1, note: 'x'.repeat(120) }) }),
  done: () => undefined,
});

/** The journey steps each client walks, then TOP records for ever (a repeatable transition in treatment). */
const STEPS: Array<Record<string, unknown>> = [
  { type: 'SCREENING_STARTED' },
  { type: 'SCREENING_COMPLETED', outcome: 'assess' },
  { type: 'ASSESSMENT_COMPLETED', domains: { substanceUse: 'Opiates daily', housingNeed: 'none' } },
  { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }] },
  { type: 'INTERVENTION_OFFERED', interventionId: 'psy-1' },
  { type: 'INTERVENTION_STARTED', interventionId: 'psy-1' },
];

function top(recordedOn: string) {
  return {
    kind: 'review',
    recordedOn,
    substanceDays: { alcohol: 2, opiates: 0, crack: 0, cocaine: 0, amphetamines: 0, cannabis: 1, other: 0, tobacco: 28 },
    injectingDays: 0,
    sharedEquipment: false,
    shopliftingDays: 0,
    sellingDrugsDays: 0,
    otherTheftDays: 0,
    assaultOrViolence: false,
    psychologicalHealth: 12,
    physicalHealth: 13,
    qualityOfLife: 12,
    paidWorkDays: 8,
    educationDays: 0,
    acuteHousingProblem: false,
    atRiskOfEviction: false,
  };
}

function journeyTarget(caseIds: string[]): Target & { conflicts: () => number } {
  const state = caseIds.map(() => ({ version: 1, step: 0 }));
  const today = new Date().toISOString().slice(0, 10);
  let conflicts = 0;
  return {
    clients: caseIds.length,
    next(client) {
      const s = state[client]!;
      const event = s.step < STEPS.length ? STEPS[s.step]! : { type: 'TOP_RECORDED', top: top(today) };
      return { path: `/api/v1/cases/${caseIds[client]!}/events`, body: JSON.stringify({ ...event, expectedVersion: s.version }) };
    },
    done(client, status, body) {
      const s = state[client]!;
      if (status === 200) {
        s.version = (JSON.parse(body) as { version: number }).version;
        s.step += 1;
      } else if (status === 409) conflicts += 1;
    },
    conflicts: () => conflicts,
  };
}

export const bench: BenchModule = {
  name: 'api',
  summary: 'HTTP API: signed-in, validated journey transitions/s and latency against a bare Express route doing one synced insert per request',
  async run(): Promise<Figure[]> {
    const rate = envInt('BENCH_API_RATE', 500);
    const seconds = envInt('BENCH_API_SECONDS', 4);
    const clients = envInt('BENCH_API_CLIENTS', 64);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-api-'));
    try {
      // (a) the ceiling
      const ceiling = await startCeiling(join(dir, 'ceiling.db'));
      const ceilOpen = await openLoop(ceiling.port, null, ceilingTarget(256), rate, seconds);
      const ceilClosed = await closedLoop(ceiling.port, null, ceilingTarget(clients), seconds);
      await ceiling.close();
      console.log(`   (a) ceiling: ${(ceilOpen.ok / ceilOpen.seconds).toFixed(0)}/s offered ${rate}/s; closed loop ${(ceilClosed.ok / ceilClosed.seconds).toFixed(0)}/s`);

      // (b) the full API
      const store = await openStore(`sqlite:${join(dir, 'api.db')}`);
      await migrate(store);
      const at = new Date().toISOString();
      const agency = await insertAgency(store.db, { name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench', createdAt: at });
      const password = 'bench keyworker password';
      const user = await insertUser(store.db, { email: 'kw@bench.example', name: 'Bench Keyworker', passwordHash: await hashPassword(password), role: 'keyworker', agencyId: agency.id, createdAt: at });
      const running = await startPathways(store, { port: 0 });
      try {
        const port = Number(new URL(running.server.url).port);
        const agent = new Agent({ keepAlive: true });
        const login = await post(agent, port, '/api/v1/auth/login', JSON.stringify({ email: user.email, password }), null);
        const token = (JSON.parse(login.body) as { token: string }).token;
        // Enough journeys that no client waits on another's version: one per client, per run.
        const open = async (n: number) => {
          const ids: string[] = [];
          await Promise.all(
            Array.from({ length: n }, async () => {
              const person = await insertPerson(store.db, { givenName: 'Bench', familyName: 'Person', dateOfBirth: '1980-01-01', sex: 'male' }, agency.id, at);
              const opened = await running.engine.openCase({ personId: person.id, leadAgencyId: agency.id, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: user.id, agencyId: agency.id } });
              ids.push(opened.row.id);
            }),
          );
          return ids;
        };
        const openTarget = journeyTarget(await open(256));
        const apiOpen = await openLoop(port, token, openTarget, rate, seconds);
        const closedTarget = journeyTarget(await open(clients));
        const cpuBefore = process.cpuUsage();
        const apiClosed = await closedLoop(port, token, closedTarget, seconds);
        const cpu = process.cpuUsage(cpuBefore);
        const cpuPerTransition = (cpu.user + cpu.system) / Math.max(1, apiClosed.sent);
        agent.destroy();
        console.log(`   (b) API: ${(apiOpen.ok / apiOpen.seconds).toFixed(0)}/s offered ${rate}/s; closed loop ${(apiClosed.ok / apiClosed.seconds).toFixed(0)}/s`);

        const ceilRate = ceilClosed.ok / ceilClosed.seconds;
        const apiRate = apiClosed.ok / apiClosed.seconds;
        const lat = (r: RunResult) => `${percentile(r.latencies, 50).toFixed(1)} / ${percentile(r.latencies, 99).toFixed(1)}`;
        return [
          { name: `(a) ceiling, offered ${rate}/s for ${seconds} s`, value: ceilOpen.ok / ceilOpen.seconds, unit: 'req/s', note: `p50/p99 ${lat(ceilOpen)} ms, ${ceilOpen.failed} failed` },
          { name: `(a) ceiling, ${clients} clients closed loop`, value: ceilRate, unit: 'req/s', note: `p50/p99 ${lat(ceilClosed)} ms` },
          { name: `(b) API transitions, offered ${rate}/s for ${seconds} s`, value: apiOpen.ok / apiOpen.seconds, unit: 'transitions/s', note: `${apiOpen.sent} sent, ${apiOpen.failed} refused (${openTarget.conflicts()} conflicts)` },
          { name: `(b) API latency p50 / p99 at ${rate}/s`, value: lat(apiOpen), unit: 'ms', note: 'aim: p99 under 25 ms' },
          { name: `(b) API transitions, ${clients} clients closed loop`, value: apiRate, unit: 'transitions/s', note: `p50/p99 ${lat(apiClosed)} ms, ${apiClosed.failed} refused` },
          { name: '(b) / (a), closed loop', value: apiRate / ceilRate, unit: '×', note: 'aim: at least 1 (group commit)' },
          {
            name: '(b) CPU per API transition',
            value: cpuPerTransition,
            unit: 'µs',
            note: `client and server in one process; one core could do about ${Math.round(1e6 / cpuPerTransition)}/s; load average ${loadavg()[0]!.toFixed(1)} lowers the wall-clock figures`,
          },
        ];
      } finally {
        await running.stop();
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
