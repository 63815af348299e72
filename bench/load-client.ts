/**
 * The HTTP load generator of the API benchmark, run in its own process (`fork`) so its
 * CPU is not the server's: the server's event loop then measures only itself, as it would
 * with real clients on other machines.
 *
 * The parent sends one `LoadJob` per message; the child answers each with a `RunResult`
 * and exits when the channel closes. `runLoad` is what the child calls, exported so the
 * parent can share the types.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';

/** What the virtual clients send. */
export type LoadTarget =
  | { kind: 'ceiling'; clients: number }
  /**
   * Journeys opened beforehand: each client walks one from referral into treatment with a
   * start and a review TOP (eight events), then takes the next unused one — so journeys
   * stay the size real ones are, however long the run.
   */
  | { kind: 'journey'; caseIds: string[]; clients: number }
  /**
   * One client per journey, each reassigning its journey's keyworker over and over (a
   * transition that leaves the journey as it was, so it can repeat for ever); every answer's
   * `id:version` is reported with the monotonic time it arrived, for the live benchmark.
   */
  | { kind: 'reassign'; caseIds: string[]; keyworkerIds: string[] };

/** One run: open loop at a fixed offered rate, or closed loop (each client back to back). */
export interface LoadJob {
  mode: 'open' | 'closed';
  port: number;
  /**
   * Several servers (nodes behind a balancer): virtual client i sends to `ports[i % n]`, so
   * one generator loads every node, as one balancer would. Default: `[port]`.
   */
  ports?: number[];
  token: string | null;
  target: LoadTarget;
  /** Offered requests a second (open loop only). */
  rate: number;
  seconds: number;
}

/** What came back from one run. */
export interface RunResult {
  sent: number;
  ok: number;
  failed: number;
  /** Answers 409 `version_conflict` (should stay 0: a journey has one client at a time). */
  conflicts: number;
  /** Journeys taken from the pool. */
  journeys: number;
  /** `reassign` only: `[id:version, ms]` per answer, ms on the machine's monotonic clock (`monotonicMs`). */
  answered: Array<[string, number]>;
  /** Requests an open loop could not send on time because every client was busy. */
  late: number;
  /** The failed requests by what came back: `status code` (the problem's `code`) or `network: message`. */
  failures: Record<string, number>;
  seconds: number;
  latencies: number[];
  /** Open loop: when each request of `latencies` was due, ms since the epoch (same order). */
  dueAt: number[];
}

interface Target {
  clients: number;
  next(client: number): { path: string; body: string };
  done(client: number, status: number, body: string): void;
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

const CEILING_BODY = JSON.stringify({ type: 'SCREENING_STARTED', expectedVersion: 1, note: 'x'.repeat(120) });

/** The journey steps each client walks, then TOP records for ever (a repeatable transition in treatment). */
const STEPS: Array<Record<string, unknown>> = [
  { type: 'SCREENING_STARTED' },
  { type: 'SCREENING_COMPLETED', outcome: 'assess' },
  { type: 'ASSESSMENT_COMPLETED', domains: { substanceUse: 'Opiates daily', housingNeed: 'none' } },
  { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }] },
  { type: 'INTERVENTION_OFFERED', interventionId: 'psy-1' },
  { type: 'INTERVENTION_STARTED', interventionId: 'psy-1' },
];

function top(recordedOn: string): Record<string, unknown> {
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

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of this machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function reassignTarget(spec: Extract<LoadTarget, { kind: 'reassign' }>, counts: Counts): Target {
  const versions = spec.caseIds.map(() => 1);
  let turn = 0;
  return {
    clients: spec.caseIds.length,
    next(client) {
      turn += 1;
      const keyworkerId = spec.keyworkerIds[turn % spec.keyworkerIds.length]!;
      return { path: `/api/v1/cases/${spec.caseIds[client]!}/events`, body: JSON.stringify({ type: 'KEYWORKER_ASSIGNED', keyworkerId, expectedVersion: versions[client] }) };
    },
    done(client, status, body) {
      const at = monotonicMs();
      if (status === 200) {
        versions[client] = (JSON.parse(body) as { version: number }).version;
        counts.answered.push([`${spec.caseIds[client]!}:${versions[client]}`, at]);
      } else if (status === 409) counts.conflicts += 1;
    },
  };
}

interface Counts {
  conflicts: number;
  journeys: number;
  answered: Array<[string, number]>;
}

function buildTarget(spec: LoadTarget, counts: Counts): Target {
  if (spec.kind === 'ceiling') return { clients: spec.clients, next: () => ({ path: '/ceiling', body: CEILING_BODY }), done: () => undefined };
  if (spec.kind === 'reassign') return reassignTarget(spec, counts);
  const today = new Date().toISOString().slice(0, 10);
  const script = [...STEPS, { type: 'TOP_RECORDED', top: { ...top(today), kind: 'start' } }, { type: 'TOP_RECORDED', top: top(today) }];
  let nextJourney = 0;
  const take = () => {
    // The pool is sized for the run; should it run dry, a client stays on its journey and records more reviews.
    const index = nextJourney < spec.caseIds.length ? nextJourney++ : -1;
    if (index >= 0) counts.journeys += 1;
    return index;
  };
  const state = Array.from({ length: spec.clients }, () => ({ journey: take(), version: 1, step: 0 }));
  return {
    clients: spec.clients,
    next(client) {
      const s = state[client]!;
      const event = script[Math.min(s.step, script.length - 1)]!;
      return { path: `/api/v1/cases/${spec.caseIds[s.journey]!}/events`, body: JSON.stringify({ ...event, expectedVersion: s.version }) };
    },
    done(client, status, body) {
      const s = state[client]!;
      if (status === 200) {
        s.version = (JSON.parse(body) as { version: number }).version;
        s.step += 1;
        if (s.step >= script.length) {
          const fresh = take();
          if (fresh >= 0) Object.assign(s, { journey: fresh, version: 1, step: 0 });
        }
      } else if (status === 409) counts.conflicts += 1;
    },
  };
}

/** What a failed answer was, for `RunResult.failures`: its status and the problem's code. */
function failureOf(status: number, body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

function tally(failures: Record<string, number>, what: string): void {
  failures[what] = (failures[what] ?? 0) + 1;
}

/** The port virtual client `client` sends to (`LoadJob.ports`). */
function portOf(job: LoadJob, client: number): number {
  return job.ports && job.ports.length > 0 ? job.ports[client % job.ports.length]! : job.port;
}

/** Offers `rate` requests a second for `seconds`, each to an idle client. */
async function openLoop(job: LoadJob, target: Target): Promise<Omit<RunResult, keyof Counts>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const idle: number[] = Array.from({ length: target.clients }, (_, i) => i);
  const latencies: number[] = [];
  const dueAts: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let late = 0;
  const failures: Record<string, number> = {};
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(job.rate * job.seconds);
  // Request n is due at n ÷ rate seconds; each is sent when due (a timer set for the next
  // one, not a fixed tick: a 1 ms tick woke this process a thousand times a second on the
  // machine the server shares) and its latency counts from when it was due, so a server
  // that falls behind cannot hide it (no coordinated omission). When every client is busy
  // the server has fallen behind: the next client to free sends what is due.
  const dueAtOf = (n: number): number => started + (n / job.rate) * 1000;
  await new Promise<void>((resolve) => {
    let waitingForClient = false;
    let done = false;
    // `freed`: called because a client came free while every one was busy.
    const dispatch = (freed = false): void => {
      if (done) return;
      const now = performance.now();
      // Every request whose due time has come: index n is due once n ≤ elapsed × rate.
      const due = Math.min(total, Math.floor(((now - started) / 1000) * job.rate) + 1);
      while (sent < due) {
        const client = idle.shift();
        if (client === undefined) {
          waitingForClient = true;
          break;
        }
        const dueAt = dueAtOf(sent);
        if (freed) late += 1;
        const req = target.next(client);
        sent += 1;
        const p = post(agent, portOf(job, client), req.path, req.body, job.token)
          .then((res) => {
            latencies.push(performance.now() - dueAt);
            dueAts.push(performance.timeOrigin + dueAt);
            if (res.status < 300) ok += 1;
            else {
              failed += 1;
              tally(failures, failureOf(res.status, res.body));
            }
            target.done(client, res.status, res.body);
          })
          .catch((err: unknown) => {
            failed += 1;
            tally(failures, `network: ${err instanceof Error ? err.message : String(err)}`);
          })
          .finally(() => {
            idle.push(client);
            inflight.delete(p);
            if (waitingForClient) {
              waitingForClient = false;
              dispatch(true);
            }
          });
        inflight.add(p);
      }
      if (sent >= total || now - started > job.seconds * 1000 * 3) {
        done = true;
        resolve();
        return;
      }
      if (!waitingForClient) setTimeout(dispatch, Math.max(0, dueAtOf(sent) - performance.now()), false);
    };
    dispatch();
  });
  await Promise.all(inflight);
  agent.destroy();
  return { sent, ok, failed, late, failures, seconds: (performance.now() - started) / 1000, latencies, dueAt: dueAts };
}

/** Every client sends back to back for `seconds`. */
async function closedLoop(job: LoadJob, target: Target): Promise<Omit<RunResult, keyof Counts>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: target.clients }, async (_, client) => {
      while (performance.now() - started < job.seconds * 1000) {
        const req = target.next(client);
        sent += 1;
        const t0 = performance.now();
        const res = await post(agent, portOf(job, client), req.path, req.body, job.token);
        latencies.push(performance.now() - t0);
        if (res.status < 300) ok += 1;
        else {
          failed += 1;
          tally(failures, failureOf(res.status, res.body));
        }
        target.done(client, res.status, res.body);
      }
    }),
  );
  agent.destroy();
  return { sent, ok, failed, late: 0, failures, seconds: (performance.now() - started) / 1000, latencies, dueAt: [] };
}

/** Runs one job against a server on 127.0.0.1. */
export async function runLoad(job: LoadJob): Promise<RunResult> {
  const counts: Counts = { conflicts: 0, journeys: 0, answered: [] };
  const target = buildTarget(job.target, counts);
  const result = job.mode === 'open' ? await openLoop(job, target) : await closedLoop(job, target);
  return { ...result, ...counts };
}

/** The load generator in its own process; `run` sends it one job and waits for the answer. */
export function startLoadClient(): { run(job: LoadJob): Promise<RunResult>; close(): void; pid: number | undefined } {
  const child = fork(resolve('bin/run-ts.js'), [resolve('bench/load-client.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    pid: child.pid,
    run: (job) =>
      new Promise((ok, fail) => {
        const onExit = (code: number | null) => fail(new Error(`the load client exited (code ${code})`));
        child.once('exit', onExit);
        child.once('message', (m: { result?: RunResult; error?: string }) => {
          child.off('exit', onExit);
          if (m.result) ok(m.result);
          else fail(new Error(m.error ?? 'the load client failed'));
        });
        child.send(job);
      }),
    close: () => child.disconnect(),
  };
}

// Child mode: answer each job the parent sends.
if (process.send) {
  process.on('message', (job: LoadJob) => {
    void runLoad(job).then(
      (result) => process.send!({ result }),
      (err: unknown) => process.send!({ error: String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
