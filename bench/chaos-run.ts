/**
 * Kill -9 under load, as an operator's worst afternoon: real `pathways serve` processes on
 * one store take journey writes over HTTP from several writers while a killer sends SIGKILL
 * to a node at intervals and starts it again on the same port; durable timers fall due all
 * through the run; one live socket per node follows every change, reconnecting with
 * `auth.since` after each kill. Afterwards, from the store itself:
 * - every acknowledged write is stored exactly once (its journey version has one event),
 *   and no journey has an event its version does not account for;
 * - every timer fired exactly once (one event per referral and deadline, none pending);
 * - the hash chain verifies;
 * - every live socket saw every acknowledged write, or was told to catch up and did.
 * Used by `npm run chaos` (bench/chaos.ts) and, short, by test/nodes/chaos.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { createAgency, createStaff } from '../src/agencies/agency-commands.ts';
import { hashPassword, setPasswordHashCost } from '../src/auth/password.ts';
import { openStore, type Dialect } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { SYSTEM_ACTOR, createEngine } from '../src/engine/engine.ts';
import { verifyChain } from '../src/engine/hash-chain.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { recordPerson } from '../src/people/person-commands.ts';
import { startServeProcess, type ServeProcess } from '../test/support/serve-process.ts';

export interface ChaosOptions {
  dialect: Dialect;
  nodes: number;
  kills: number;
  /** Time between kills (ms). */
  intervalMs: number;
  writers: number;
  journeys: number;
  referrals: number;
  /** First port; node i listens on basePort + 10·i. */
  basePort: number;
  pgUrl?: string;
}

export interface ChaosReport {
  dialect: Dialect;
  nodes: number;
  kills: number;
  acknowledged: number;
  /** Acknowledged writes with no event, or with more than one. */
  lost: number;
  duplicated: number;
  /** Events no acknowledged or retried write accounts for (a journey's events ≠ its version). */
  unaccounted: number;
  timersDue: number;
  timersFiredTwice: number;
  timersPending: number;
  chainOk: boolean;
  chainRows: number;
  /** Acknowledged writes a socket never heard of, summed over sockets. */
  socketMisses: number;
  socketCatchUps: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one chaos round and reports what the store says afterwards. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  setPasswordHashCost(1024);
  const pgUrl = o.pgUrl ?? process.env.PATHWAYS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dir = mkdtempSync(join(tmpdir(), 'pathways-chaos-'));
  const schema = `chaos_${randomBytes(5).toString('hex')}`;
  const url = o.dialect === 'sqlite' ? `sqlite:${join(dir, 'chaos.db')}` : `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = await openStore(url);
  const nodes: Array<ServeProcess | null> = [];
  const sockets: Socket[] = [];
  try {
    await migrate(store);
    // The world: a provider with two keyworkers, journeys to move, referrals whose deadlines fall due during the run.
    const engine = createEngine(store);
    attachMetrics(engine);
    const password = 'chaos keyworker password';
    const agency = (await createAgency(engine, SYSTEM_ACTOR, { name: 'Chaos Recovery Service', kind: 'treatment_provider', area: 'Chaos' })).row;
    const referrer = (await createAgency(engine, SYSTEM_ACTOR, { name: 'Chaos Probation', kind: 'probation', area: 'Chaos' })).row;
    const hash = await hashPassword(password);
    const kw = (await createStaff(engine, SYSTEM_ACTOR, { email: 'kw1@chaos.example', name: 'Kim One', passwordHash: hash, role: 'keyworker', agencyId: agency.id })).row;
    const kw2 = (await createStaff(engine, SYSTEM_ACTOR, { email: 'kw2@chaos.example', name: 'Kim Two', passwordHash: hash, role: 'keyworker', agencyId: agency.id })).row;
    const officer = (await createStaff(engine, SYSTEM_ACTOR, { email: 'po@chaos.example', name: 'Pat Officer', passwordHash: hash, role: 'referrer', agencyId: referrer.id })).row;
    const viewer = { userId: kw.id, role: 'keyworker' as const, agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
    const at = new Date().toISOString();
    const journeys: string[] = [];
    for (let i = 0; i < o.journeys; i++) {
      const { row: person } = await recordPerson(engine, viewer, { givenName: 'Chaos', familyName: `Person ${i}`, dateOfBirth: '1980-01-01', sex: 'male' }, at);
      journeys.push((await engine.openCase({ personId: person.id, leadAgencyId: agency.id, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: kw.id, agencyId: agency.id } })).row.id);
    }
    await engine.close();
    // Urgent treatment referrals: acknowledgement due four hours after sending; sent so that they fall due across the run.
    const spread = o.kills * o.intervalMs;
    const referralIds: string[] = [];
    for (let i = 0; i < o.referrals; i++) {
      const sentAt = new Date(Date.now() - 4 * 3_600_000 + 5000 + (spread * i) / Math.max(1, o.referrals));
      const opener = createEngine(store, { now: () => sentAt });
      const { row } = await opener.openReferral({ personId: (await store.db.selectFrom('cases').select('person_id').where('id', '=', journeys[i % journeys.length]!).executeTakeFirstOrThrow()).person_id, fromAgencyId: referrer.id, fromUserId: officer.id, toAgencyId: agency.id, kind: 'treatment', reason: 'Chaos', urgency: 'urgent', actor: { userId: officer.id, agencyId: referrer.id } });
      referralIds.push(row.id);
      await opener.close();
    }

    const ports = Array.from({ length: o.nodes }, (_, i) => o.basePort + 10 * i);
    const start = (i: number) => startServeProcess(url, { PATHWAYS_LOG_LEVEL: 'error' }, ports[i]);
    for (let i = 0; i < o.nodes; i++) nodes[i] = await start(i);
    const login = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: kw.email, password }) });
    const token = ((await login.json()) as { token: string }).token;

    // One socket per node, following every change; after a kill it reconnects with the last seq it saw.
    const seen: Array<Set<string>> = [];
    let catchUps = 0;
    for (const port of ports) {
      const heard = new Set<string>();
      seen.push(heard);
      let last: number | null = null;
      const socket = connect(`http://127.0.0.1:${port}`, {
        transports: ['websocket'],
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        auth: (cb) => cb(last === null ? { token } : { token, since: last }),
      });
      socket.onAny((event: string, payload: { id?: string; version?: number; seq?: number; truncated?: boolean }) => {
        if (event === 'case.changed' && payload.id && payload.version !== undefined) heard.add(`${payload.id}:${payload.version}`);
        if (event === 'catch-up.done') {
          catchUps += 1;
          if (payload.truncated && typeof payload.seq === 'number') socket.emit('catch-up', { since: payload.seq });
        }
        if (typeof payload.seq === 'number') last = Math.max(last ?? 0, payload.seq);
      });
      sockets.push(socket);
      await new Promise<void>((r) => socket.once('connect', () => r()));
    }

    // Writers: each owns some journeys and moves them on, round robin over the nodes; a write
    // without an answer is retried with the same expectedVersion (a 409 then says it was stored).
    const acked: string[] = [];
    let running = true;
    const writer = async (w: number): Promise<void> => {
      const mine = journeys.filter((_, i) => i % o.writers === w);
      const version = new Map(mine.map((id) => [id, 1]));
      let n = w;
      while (running) {
        const id = mine[n % mine.length]!;
        const port = ports[n % ports.length]!;
        n += 1;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/cases/${id}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'KEYWORKER_ASSIGNED', keyworkerId: n % 2 === 0 ? kw.id : kw2.id, expectedVersion: version.get(id) }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await res.json()) as { version?: number; code?: string; details?: { currentVersion?: number }; currentVersion?: number };
          if (res.status === 200 && body.version !== undefined) {
            acked.push(`${id}:${body.version}`);
            version.set(id, body.version);
          } else if (body.code === 'version_conflict') {
            const current = body.details?.currentVersion ?? body.currentVersion;
            if (typeof current === 'number') version.set(id, current);
          } else {
            await sleep(50);
          }
        } catch {
          await sleep(100);
        }
      }
    };
    const writing = Array.from({ length: o.writers }, (_, w) => writer(w));
    let kills = 0;
    for (let k = 0; k < o.kills; k++) {
      await sleep(o.intervalMs);
      const i = k % o.nodes;
      await nodes[i]!.stop('SIGKILL');
      kills += 1;
      nodes[i] = await start(i);
    }
    await sleep(o.intervalMs);
    running = false;
    await Promise.all(writing);
    // Every timer due by now fires (a dead node's claims after their 5 s lease).
    const nowIso = new Date().toISOString();
    for (let waited = 0; waited < 30_000; waited += 250) {
      const pending = await store.db.selectFrom('timers').select('id').where('status', '=', 'pending').where('due_at', '<=', nowIso).executeTakeFirst();
      if (!pending) break;
      await sleep(250);
    }
    // Sockets settle: every acknowledged write heard, or give up after a while.
    for (let waited = 0; waited < 15_000; waited += 250) {
      if (seen.every((heard) => acked.every((a) => heard.has(a)))) break;
      await sleep(250);
    }

    // What the store says.
    const events = await store.db.selectFrom('events').select(['stream_id', 'stream_version']).where('stream_type', '=', 'case').where('stream_id', 'in', journeys).execute();
    const count = new Map<string, number>();
    for (const e of events) count.set(`${e.stream_id}:${e.stream_version}`, (count.get(`${e.stream_id}:${e.stream_version}`) ?? 0) + 1);
    const lost = acked.filter((a) => !count.has(a)).length;
    const duplicated = [...count.values()].filter((c) => c > 1).length;
    const rows = await store.db.selectFrom('cases').select(['id', 'version']).where('id', 'in', journeys).execute();
    const perJourney = new Map<string, number>();
    for (const e of events) perJourney.set(e.stream_id, (perJourney.get(e.stream_id) ?? 0) + 1);
    const unaccounted = rows.filter((r) => perJourney.get(r.id) !== r.version).length;
    const fired = await store.db.selectFrom('events').select(['stream_id', 'type']).where('stream_type', '=', 'referral').where('stream_id', 'in', referralIds).where('stream_version', '>', 1).execute();
    const timerEvents = new Map<string, number>();
    for (const e of fired) timerEvents.set(`${e.stream_id}:${e.type}`, (timerEvents.get(`${e.stream_id}:${e.type}`) ?? 0) + 1);
    const due = await store.db.selectFrom('timers').select(['status']).where('stream_id', 'in', referralIds).where('due_at', '<=', nowIso).execute();
    const chain = await verifyChain(store.db);
    return {
      dialect: o.dialect,
      nodes: o.nodes,
      kills,
      acknowledged: acked.length,
      lost,
      duplicated,
      unaccounted,
      timersDue: due.length,
      timersFiredTwice: [...timerEvents.values()].filter((c) => c > 1).length,
      timersPending: due.filter((t) => t.status === 'pending').length,
      chainOk: chain.ok,
      chainRows: chain.rowsChecked,
      socketMisses: seen.reduce((n, heard) => n + acked.filter((a) => !heard.has(a)).length, 0),
      socketCatchUps: catchUps,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.all(nodes.map((n) => (n ? n.stop('SIGKILL') : Promise.resolve(null))));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (o.dialect === 'postgres') {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}
