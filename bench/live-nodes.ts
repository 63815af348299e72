/**
 * Live updates across nodes, two ways, on this machine in one run: from a commit on node 1
 * to the message on a socket connected to node 2.
 *
 * (a) What Pathways does: two real `pathways serve` processes on one PostgreSQL schema;
 *     journeys are moved through node 1 over the API (bench/load-client.ts, open loop, its
 *     own process) and a manager's socket on node 2 hears `case.changed` through node 2's
 *     tail of the event log (NOTIFY, then a read in `seq` order: src/live/log-tail.ts).
 *     Latency runs from node 1's answer (sent after commit) to the socket.
 * (b) The alternative: two socket.io servers (child processes) joined by
 *     @socket.io/redis-streams-adapter on the local Redis; server 1 broadcasts a message of
 *     the same size as (a)'s at the same rate and a socket on server 2 receives it. Latency
 *     runs from the broadcast (what node 1 would do after its commit) to the socket.
 * Both stamp times on the machine's monotonic clock. Each at 20, 200 and 1,000 messages a
 * second offered (20/s: a rate PostgreSQL writes keep up with even on a loaded machine, so
 * the tail is seen without a backlog of writes), then at 200/s with a disruption halfway: (a) every node's LISTEN
 * connection terminated (pg_terminate_backend), (b) every connection of both servers to
 * Redis dropped (CLIENT KILL) — Redis itself cannot be restarted safely here. Reported:
 * achieved rate, p50/p99/max, and messages lost (never arrived).
 *
 * Sizes (env): BENCH_LIVENODES_SECONDS (8 per phase), BENCH_LIVENODES_JOURNEYS (300 per phase),
 * BENCH_PG_URL, BENCH_REDIS_URL (redis://127.0.0.1:6379).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { issueToken } from '../src/auth/bearer-tokens.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { createEngine } from '../src/engine/engine.ts';
import { startServeProcess, type ServeProcess } from '../test/support/serve-process.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
// bench/load-client.ts is imported where it is used: imported here, its child mode would
// answer this file's own child processes' messages.

/** Milliseconds on CLOCK_MONOTONIC, the clock bench/load-client.ts stamps answers with. */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Resolves once `count()` has not grown for `quietMs` (or after `maxMs`): the last messages are in. */
async function settled(count: () => number, quietMs = 2000, maxMs = 30_000): Promise<void> {
  const end = Date.now() + maxMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHILD_FLAG = '--livenodes-redis-server';
/** Redis client names of the bench's socket.io servers (and their duplicates), so only they are dropped. */
const CLIENT_NAME = 'pathways-bench-livenodes';

/** A broadcast from server 1: its number, when it was sent (monotonic ms) and padding to size. */
interface Probe {
  n: number;
  at: number;
  pad: string;
}

/** Child mode: a socket.io server on the Redis streams adapter; on a `go` message, broadcasts at a rate. */
async function redisServerChild(stream: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL, name: CLIENT_NAME });
  redis.on('error', () => undefined); // dropped on purpose mid-run; node-redis reconnects
  await redis.connect();
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter(redis, { streamName: stream }) });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const { port } = http.address() as { port: number };
  process.on('message', (m: { go?: { rate: number; seconds: number; bytes: number; from: number } }) => {
    if (!m.go) return;
    const { rate, seconds, bytes, from } = m.go;
    const pad = 'x'.repeat(Math.max(0, bytes - 40));
    const total = Math.round(rate * seconds);
    const started = performance.now();
    let sent = 0;
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) io.emit('probe', { n: from + sent++, at: monotonicMs(), pad } satisfies Probe);
      if (sent >= total) {
        clearInterval(tick);
        process.send!({ sent, seconds: (performance.now() - started) / 1000 });
      }
    }, 1);
  });
  process.send!({ port });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === CHILD_FLAG && process.argv[3]) await redisServerChild(process.argv[3]);

/** One phase's outcome. */
interface Outcome {
  label: string;
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  expected: number;
}

function outcome(label: string, offered: number, achieved: number, latencies: number[], lost: number, expected: number): Outcome {
  const sorted = [...latencies].sort((a, b) => a - b);
  const o = { label, offered, achieved, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN, lost, expected };
  console.log(`   ${label}: ${achieved.toFixed(0)}/s of ${offered}/s, p50 ${o.p50.toFixed(1)} / p99 ${o.p99.toFixed(1)} / max ${o.max.toFixed(1)} ms, ${lost} lost of ${expected}`);
  return o;
}

/** (a) Two serve processes on one PostgreSQL schema; writes through node 1, a socket on node 2. */
async function postgresTail(seconds: number, journeys: number): Promise<{ outcomes: Outcome[]; bytes: number }> {
  const { startLoadClient } = await import('./load-client.ts');
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = await openStore(url);
  const nodes: ServeProcess[] = [];
  let socket: Socket | undefined;
  const load = startLoadClient();
  try {
    await migrate(store);
    const at = new Date().toISOString();
    const agencyId = randomUUID();
    await store.db.insertInto('agencies').values({ id: agencyId, name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench', created_at: at }).execute();
    const user = async (role: string) => {
      const id = randomUUID();
      await store.db.insertInto('users').values({ id, email: `${id}@example.test`, name: role, password_hash: 'x', role, agency_id: agencyId, created_at: at, disabled_at: null }).execute();
      return { id, token: (await issueToken(store.db, id, new Date(), 120)).token };
    };
    const writer = await user('keyworker');
    const other = await user('keyworker');
    const manager = await user('manager');
    const engine = createEngine(store);
    // Journeys of their own for each phase (the load client starts each at version 1).
    const open = (phase: number) => Promise.all(
      Array.from({ length: journeys }, async (_, i) => {
        const personId = randomUUID();
        await store.db
          .insertInto('people')
          .values({ id: personId, given_name: 'Bench', family_name: `Person ${phase}-${i}`, date_of_birth: '1980-01-01', sex: 'female', ethnicity: null, postcode_district: 'BN1', details: '{}', created_by_agency_id: agencyId, created_at: at })
          .execute();
        return (await engine.openCase({ personId, leadAgencyId: agencyId, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: writer.id, agencyId } })).row.id;
      }),
    );
    const pools = [await open(0), await open(1), await open(2), await open(3)];
    await engine.close();

    nodes.push(await startServeProcess(url, { PATHWAYS_LOG_LEVEL: 'error' }), await startServeProcess(url, { PATHWAYS_LOG_LEVEL: 'error' }));
    const [one, two] = nodes as [ServeProcess, ServeProcess];
    socket = connect(two.url, { auth: { token: manager.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((ok, fail) => {
      socket!.once('connect', () => ok());
      socket!.once('connect_error', fail);
    });
    const arrivals = new Map<string, number>();
    let bytes = 0;
    let messages = 0;
    socket.on('case.changed', (m: { id: string; version: number }) => {
      arrivals.set(`${m.id}:${m.version}`, monotonicMs());
      bytes += JSON.stringify(m).length;
      messages += 1;
    });
    const port = Number(new URL(one.url).port);
    const run = async (label: string, rate: number, disrupt: boolean, caseIds: string[]): Promise<Outcome> => {
      let dropped = 0;
      const timer = disrupt
        ? setTimeout(() => {
            void (async () => {
              const admin = new pg.Client({ connectionString: PG_URL });
              await admin.connect();
              const res = await admin.query<{ ok: boolean }>(`select pg_terminate_backend(pid) as ok from pg_stat_activity where query ilike 'LISTEN %' and pid <> pg_backend_pid()`);
              dropped = res.rows.length;
              await admin.end();
            })();
          }, (seconds * 1000) / 2)
        : undefined;
      const result = await load.run({ mode: 'open', port, token: writer.token, target: { kind: 'reassign', caseIds, keyworkerIds: [writer.id, other.id] }, rate, seconds });
      clearTimeout(timer);
      await settled(() => arrivals.size);
      const latencies: number[] = [];
      let lost = 0;
      for (const [key, answeredAt] of result.answered) {
        const got = arrivals.get(key);
        if (got === undefined) lost += 1;
        else latencies.push(Math.max(0, got - answeredAt));
      }
      return outcome(disrupt ? `${label} (${dropped} LISTEN connections terminated halfway)` : label, rate, result.answered.length / result.seconds, latencies, lost, result.answered.length);
    };
    // 20/s first: a rate PostgreSQL keeps up with on a loaded machine, so the tail is measured without a write backlog.
    const outcomes = [
      await run('PostgreSQL tail, 20/s', 20, false, pools[3]!),
      await run('PostgreSQL tail, 200/s', 200, false, pools[0]!),
      await run('PostgreSQL tail, 1,000/s', 1000, false, pools[1]!),
      await run('PostgreSQL tail, 200/s, listener dropped', 200, true, pools[2]!),
    ];
    return { outcomes, bytes: messages > 0 ? Math.round(bytes / messages) : 400 };
  } finally {
    socket?.close();
    load.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

function startRedisServer(stream: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolve('bin/run-ts.js'), [resolve('bench/live-nodes.ts'), CHILD_FLAG, stream], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the socket.io server exited early (code ${code})`)));
    child.once('message', (m: { port: number }) => ok({ child, port: m.port }));
  });
}

/** (b) Two socket.io servers on the Redis streams adapter; broadcasts from server 1, a socket on server 2. */
async function redisStreams(seconds: number, bytes: number): Promise<Outcome[]> {
  const stream = `pathways-bench-${randomBytes(4).toString('hex')}`;
  const servers = [await startRedisServer(stream), await startRedisServer(stream)];
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  const socket = connect(`http://127.0.0.1:${servers[1]!.port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    await new Promise<void>((ok, fail) => {
      socket.once('connect', () => ok());
      socket.once('connect_error', fail);
    });
    const arrivals = new Map<number, number>();
    socket.on('probe', (m: Probe) => arrivals.set(m.n, monotonicMs() - m.at));
    let from = 0;
    const run = async (label: string, rate: number, disrupt: boolean): Promise<Outcome> => {
      const first = from;
      from += Math.round(rate * seconds);
      let dropped = 0;
      const timer = disrupt
        ? setTimeout(() => {
            void (async () => {
              const list = await admin.sendCommand<string>(['CLIENT', 'LIST']);
              const ids = list
                .split('\n')
                .filter((l) => l.includes(` name=${CLIENT_NAME} `))
                .map((l) => /\bid=(\d+)/.exec(l)?.[1])
                .filter((id): id is string => id !== undefined);
              for (const id of ids) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
              dropped = ids.length;
            })();
          }, (seconds * 1000) / 2)
        : undefined;
      const emitter = servers[0]!.child;
      const done = new Promise<{ sent: number; seconds: number }>((ok) => emitter.once('message', ok));
      emitter.send({ go: { rate, seconds, bytes, from: first } });
      const { sent, seconds: took } = await done;
      clearTimeout(timer);
      await settled(() => arrivals.size);
      const latencies: number[] = [];
      let lost = 0;
      for (let n = first; n < first + sent; n++) {
        const latency = arrivals.get(n);
        if (latency === undefined) lost += 1;
        else latencies.push(Math.max(0, latency));
      }
      return outcome(disrupt ? `${label} (${dropped} Redis connections dropped halfway)` : label, rate, sent / took, latencies, lost, sent);
    };
    return [
      await run('Redis streams adapter, 20/s', 20, false),
      await run('Redis streams adapter, 200/s', 200, false),
      await run('Redis streams adapter, 1,000/s', 1000, false),
      await run('Redis streams adapter, 200/s, connections dropped', 200, true),
    ];
  } finally {
    socket.close();
    await admin.del(stream).catch(() => undefined);
    await admin.quit().catch(() => undefined);
    for (const s of servers) {
      s.child.disconnect();
      s.child.kill('SIGTERM');
    }
  }
}

export const bench: BenchModule = {
  name: 'livenodes',
  summary: 'commit on node 1 → socket on node 2: the PostgreSQL log tail (two serve processes) against the socket.io Redis streams adapter, 200 and 1,000/s and a dropped connection',
  async run(): Promise<Figure[]> {
    const seconds = envInt('BENCH_LIVENODES_SECONDS', 8);
    const journeys = envInt('BENCH_LIVENODES_JOURNEYS', 300);
    const { outcomes: tail, bytes } = await postgresTail(seconds, journeys);
    console.log(`   (messages of ${bytes} bytes, as case.changed was on average)`);
    const redis = await redisStreams(seconds, bytes);
    const figures: Figure[] = [...tail, ...redis].map((o) => ({
      name: `${o.label}: p50 / p99 / max`,
      value: `${o.p50.toFixed(1)} / ${o.p99.toFixed(1)} / ${o.max.toFixed(0)}`,
      unit: 'ms',
      note: `${o.achieved.toFixed(0)}/s achieved of ${o.offered}/s; ${o.lost} lost of ${o.expected}; ${bytes}-byte messages, ${seconds} s`,
    }));
    for (const [i, rate] of [[0, '20/s'], [1, '200/s']] as const) {
      figures.push(
        { name: `p50 PostgreSQL tail ÷ Redis streams, ${rate} offered`, value: tail[i]!.p50 / Math.max(0.01, redis[i]!.p50), unit: '×' },
        { name: `p99 PostgreSQL tail ÷ Redis streams, ${rate} offered`, value: tail[i]!.p99 / Math.max(0.01, redis[i]!.p99), unit: '×' },
      );
    }
    return figures;
  },
};
