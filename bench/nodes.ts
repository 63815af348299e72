/**
 * Journey transitions over the full API on SQLite (one node), PostgreSQL (one node) and
 * PostgreSQL with two nodes on one database: each node a real `pathways serve` process,
 * loaded by one generator process (bench/load-client.ts) offering the rate open loop, so
 * latency counts from when each request was due; with two nodes each virtual client keeps
 * to one node, as behind a balancer, and each node has its share of the rate and of the
 * clients. Journeys are opened
 * beforehand; every transition is signed in, validated, applied by the engine with the
 * measures kept in its transaction, and (PostgreSQL) tailed by every node's live feed.
 *
 * Sizes (env): BENCH_NODES_RATE (300 transitions/s offered in total), BENCH_NODES_SECONDS
 * (15), BENCH_NODES_CLIENTS (128 virtual clients per node), BENCH_NODES_GENERATORS (`one`,
 * the default, or `per-node`: a generator process for each node, as before 2026-12-07. The
 * generators share the machine with the nodes and PostgreSQL, and one at 150/s costs more CPU
 * a request than one at 300/s — 0.55–0.60 ms against 0.36–0.42 ms measured, two pairs — so
 * per-node generators burdened the two nodes' runs only; each configuration's generator CPU
 * a request is printed beside its serve CPU), BENCH_NODES_WARMUP (3000:
 * the transitions each serve process answers, at its share of the rate, before the measured
 * run — 10 s for one node at 300/s, 20 s for each of two. A process just started costs more
 * CPU a transition for its first several seconds: its code is still being optimised, and its
 * resident memory grows from about 180 to 300 MB, at about 10 µs a fresh page on the machine
 * the README's figures come from. PostgreSQL, one node, 300/s: 2.7–2.9 ms of serve CPU a
 * transition over its first 10 s, 1.9–2.2 ms after. The warm-up's own p99 and CPU are
 * reported beside the measured run's), BENCH_PG_URL (the
 * PostgreSQL server; default postgres://postgres@127.0.0.1:5432/test), BENCH_DIR,
 * BENCH_NODES_WRITERS (`PATHWAYS_PG_WRITERS` values to compare on one node, e.g. `1,2,4`; the
 * first is also the two nodes' setting; default: the server's own), BENCH_NODES_SQLITE (`0`
 * skips the SQLite run), BENCH_NODES_TWO (`0` skips the two nodes), BENCH_NODES_PROF (a folder:
 * each serve process writes a V8 CPU profile there when it stops), BENCH_NODES_TIMELINE (a
 * folder: each configuration's requests, when due and how long they took, go there as CSV,
 * and a per-second p50 / p99 / max of the measured run is printed — a tail spread evenly over
 * the run is queueing, one gathered in a few seconds is a stall), BENCH_NODES_CAPACITY (the
 * rate offered to PostgreSQL with one node and then two, to compare what each answers when
 * more is offered than one node keeps up with; default 1500 transitions/s for 10 s — at 1000,
 * one node kept up in a quiet spell, and the ratio said nothing; `0` skips),
 * BENCH_NODES_ROUNDS (1: the configurations run in turn this many times, and each figure is
 * the median of its rounds with the spread beside it; on a shared machine one run's p99 can
 * be twice the next one's, so an aim is judged on the median of several rounds, with the
 * ratios taken round by round; `0` runs only the comparisons below), BENCH_NODES_BUDGET
 * (0.5: one node and then two, each serve process held to this many cores of CPU by a Linux
 * control group, as on machines of their own (bench/cpu-budget.ts), offered
 * BENCH_NODES_BUDGET_RATE (1000 transitions/s) for 10 s. Without budgets, the nodes, PostgreSQL
 * and the generator all share this machine's cores, so a second node can only take CPU from
 * the first; with them, what two nodes answer beside one says whether anything they share on
 * PostgreSQL holds them back. `0` skips; where control groups cannot be written, the figure
 * says why).
 *
 * The serve processes run with `--max-semi-space-size=64`, as the README says to run them in
 * production (bin/pathways.js's own line sets it only when the file is run directly).
 *
 * Besides rates and latencies, each configuration reports the CPU its serve processes used
 * per answered transition over the measured run (user + system time from /proc): on a
 * machine shared with other work that ratio, compared back to back, is the steady figure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { hashPassword, setPasswordHashCost } from '../src/auth/password.ts';
import { createAgency, createStaff } from '../src/agencies/agency-commands.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { SYSTEM_ACTOR, createEngine } from '../src/engine/engine.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { recordPerson } from '../src/people/person-commands.ts';
import { startServeProcess } from '../test/support/serve-process.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { limitCpu, whyNoCpuBudget, type CpuBudget } from './cpu-budget.ts';
import { startLoadClient, type LoadJob, type RunResult } from './load-client.ts';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function post(port: number, path: string, body: string): Promise<string> {
  return new Promise((ok, fail) => {
    const agent = new Agent({ keepAlive: false });
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The run second by second (by when each request was due): requests, p50, p99 and max; and
 * every request as CSV (`due_ms,latency_ms`, due on the epoch clock) in `dir`.
 */
function writeTimeline(dir: string, label: string, results: RunResult[]): void {
  const rows = results.flatMap((r) => r.dueAt.map((due, i): [number, number] => [due, r.latencies[i]!])).sort((a, b) => a[0] - b[0]);
  if (rows.length === 0) return;
  const file = join(dir, `${label.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${Date.now()}.csv`);
  writeFileSync(file, `due_ms,latency_ms\n${rows.map(([d, l]) => `${d.toFixed(1)},${l.toFixed(2)}`).join('\n')}\n`);
  const start = rows[0]![0];
  const seconds = new Map<number, number[]>();
  for (const [due, latency] of rows) {
    const s = Math.floor((due - start) / 1000);
    const second = seconds.get(s) ?? [];
    second.push(latency);
    seconds.set(s, second);
  }
  console.log(`   ${label}, second by second (requests, p50 / p99 / max ms), all in ${file}:`);
  for (const [s, l] of seconds) console.log(`     ${String(s).padStart(3)}  ${String(l.length).padStart(4)}  ${percentile(l, 0.5).toFixed(1)} / ${percentile(l, 0.99).toFixed(1)} / ${Math.max(...l).toFixed(1)}`);
}

/** CPU time (ms, user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Outcome {
  label: string;
  /** Serve processes' CPU per answered transition over the measured run (ms). */
  cpuMs: number;
  /** The load generators' CPU per request sent over the measured run (ms): theirs is the machine's too. */
  loadCpuMs: number;
  /** The warm-up before the measured run: how long, its p99 and serve CPU per transition (ms). */
  warm: { seconds: number; p99: number; cpuMs: number };
  rate: number;
  p50: number;
  p99: number;
  failed: number;
  late: number;
  /** The failures by what came back (load-client.ts `RunResult.failures`). */
  failures: Record<string, number>;
}

/** What the failures were, for a figure's note: ` (409 version_conflict ×2, …)`, or nothing. */
function failedAs(o: Outcome): string {
  const kinds = Object.entries(o.failures);
  return kinds.length === 0 ? '' : ` (${kinds.map(([what, n]) => `${what} ×${n}`).join(', ')})`;
}

/** How each configuration is loaded (the bench's environment). */
interface Sizes {
  clients: number;
  warmUp: number;
  generators: 'one' | 'per-node';
  /** Cores each serve process may use (bench/cpu-budget.ts); null: the machine's. */
  budget: number | null;
}

/** One configuration: a store, `nodes` serve processes on it, the load split between them. */
async function runConfig(label: string, url: string, nodes: number, rate: number, seconds: number, sizes: Sizes, env: Record<string, string> = {}): Promise<Outcome> {
  const { clients, warmUp, generators } = sizes;
  const store = await openStore(url);
  await migrate(store);
  const at = new Date().toISOString();
  const password = 'bench keyworker password';
  const engine = createEngine(store);
  attachMetrics(engine);
  const agency = (await createAgency(engine, SYSTEM_ACTOR, { name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench' })).row;
  const user = (await createStaff(engine, SYSTEM_ACTOR, { email: 'kw@bench.example', name: 'Bench Keyworker', passwordHash: await hashPassword(password), role: 'keyworker', agencyId: agency.id })).row;
  // Journeys for the warm-up and the run: eight events each, at up to twice the offered rate.
  const open = async (n: number): Promise<string[]> =>
    Promise.all(
      Array.from({ length: n }, async () => {
        const viewer = { userId: user.id, role: 'keyworker' as const, agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
        const { row: person } = await recordPerson(engine, viewer, { givenName: 'Bench', familyName: 'Person', dateOfBirth: '1980-01-01', sex: 'male' }, at);
        const opened = await engine.openCase({ personId: person.id, leadAgencyId: agency.id, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: user.id, agencyId: agency.id } });
        return opened.row.id;
      }),
    );
  // Each serve process warms up on the same number of transitions, at its share of the rate.
  const warmSeconds = warmUp / (rate / nodes);
  const perNode = (secs: number) => Math.ceil((rate * 2 * secs) / 8 / nodes) + clients;
  const warm = await Promise.all(Array.from({ length: nodes }, () => open(perNode(warmSeconds))));
  const run = await Promise.all(Array.from({ length: nodes }, () => open(perNode(seconds))));
  await engine.close();
  await store.close();

  const prof = process.env.BENCH_NODES_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_NODES_PROF}`] : [];
  // Started as the README says to run `pathways serve` in production: with the larger young generation.
  const nodeArgs = ['--max-semi-space-size=64', ...prof];
  const servers = await Promise.all(Array.from({ length: nodes }, () => startServeProcess(url, { PATHWAYS_LOG_LEVEL: 'error', ...env }, 0, nodeArgs)));
  const budgets: CpuBudget[] = [];
  // One generator for all nodes (a balancer's clients), or one per node (`per-node`).
  const perNodeGenerators = generators === 'per-node';
  const loads = (perNodeGenerators ? servers : servers.slice(0, 1)).map(() => startLoadClient());
  try {
    // Held to the budget from here on: the start-up before it is not what is compared.
    if (sizes.budget !== null) for (const s of servers) budgets.push(limitCpu(s.child.pid!, sizes.budget));
    const ports = servers.map((s) => Number(new URL(s.url).port));
    const token = (JSON.parse(await post(ports[0]!, '/api/v1/auth/login', JSON.stringify({ email: user.email, password }))) as { token: string }).token;
    // Each node has `clients` virtual clients and its share of the rate either way.
    const job = (i: number, ids: string[][], secs: number): LoadJob =>
      perNodeGenerators
        ? { mode: 'open', port: ports[i]!, token, target: { kind: 'journey', caseIds: ids[i]!, clients }, rate: rate / nodes, seconds: secs }
        : { mode: 'open', port: ports[0]!, ports, token, target: { kind: 'journey', caseIds: ids.flat(), clients: clients * nodes }, rate, seconds: secs };
    const cpu = () => servers.reduce((ms, s) => ms + cpuMsOf(s.child.pid), 0);
    const loadCpu = () => loads.reduce((ms, l) => ms + cpuMsOf(l.pid), 0);
    const cpuAtStart = cpu();
    const warming = await Promise.all(loads.map((l, i) => l.run(job(i, warm, warmSeconds))));
    const cpuBefore = cpu();
    const loadCpuBefore = loadCpu();
    const warmLatencies = warming.flatMap((r) => r.latencies);
    const warmOk = warming.reduce((n, r) => n + r.ok, 0);
    const results: RunResult[] = await Promise.all(loads.map((l, i) => l.run(job(i, run, seconds))));
    const cpuUsed = cpu() - cpuBefore;
    const loadCpuUsed = loadCpu() - loadCpuBefore;
    const latencies = results.flatMap((r) => r.latencies);
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const secs = Math.max(...results.map((r) => r.seconds));
    const outcome = {
      label,
      warm: { seconds: warmSeconds, p99: percentile(warmLatencies, 0.99), cpuMs: (cpuBefore - cpuAtStart) / Math.max(1, warmOk) },
      cpuMs: cpuUsed / Math.max(1, ok),
      loadCpuMs: loadCpuUsed / Math.max(1, results.reduce((n, r) => n + r.sent, 0)),
      rate: ok / secs,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      failed: results.reduce((n, r) => n + r.failed, 0),
      late: results.reduce((n, r) => n + r.late, 0),
      failures: results.reduce<Record<string, number>>((all, r) => {
        for (const [what, n] of Object.entries(r.failures)) all[what] = (all[what] ?? 0) + n;
        return all;
      }, {}),
    };
    if (process.env.BENCH_NODES_TIMELINE) writeTimeline(process.env.BENCH_NODES_TIMELINE, label, results);
    console.log(`   ${label}: ${outcome.rate.toFixed(0)}/s offered ${rate}/s, p50 ${outcome.p50.toFixed(1)} ms, p99 ${outcome.p99.toFixed(1)} ms, ${outcome.failed} failed${failedAs(outcome)}, serve CPU ${outcome.cpuMs.toFixed(2)} ms a transition, load generator${loads.length > 1 ? 's' : ''} ${outcome.loadCpuMs.toFixed(2)} ms a request (warming up, the first ${warmSeconds.toFixed(0)} s after start: p99 ${outcome.warm.p99.toFixed(1)} ms, ${outcome.warm.cpuMs.toFixed(2)} ms a transition)`);
    return outcome;
  } finally {
    for (const l of loads) l.close();
    await Promise.all(servers.map((s) => s.stop()));
    for (const b of budgets) b.release();
  }
}

/** One node against two, offered more than one answers: what each answered, and the ratio. */
function capacityFigures(both: { one: Outcome; two: Outcome }, offered: number, held: string, ratioNote: string): Figure[] {
  const { one, two } = both;
  return [
    { name: `PostgreSQL, one node: transitions/s at ${offered}/s offered for 10 s${held}`, value: one.rate, unit: '/s', note: `p50 ${one.p50.toFixed(0)} ms, p99 ${one.p99.toFixed(0)} ms; serve CPU ${one.cpuMs.toFixed(2)} ms a transition` },
    { name: `PostgreSQL, two nodes: transitions/s at ${offered}/s offered for 10 s${held}`, value: two.rate, unit: '/s', note: `p50 ${two.p50.toFixed(0)} ms, p99 ${two.p99.toFixed(0)} ms; serve CPU ${two.cpuMs.toFixed(2)} ms a transition` },
    { name: `transitions/s two nodes ÷ one node at ${offered}/s offered (PostgreSQL)${held}`, value: two.rate / Math.max(1, one.rate), unit: '×', note: ratioNote },
  ];
}

/** BENCH_NODES_GENERATORS: `one` (the default) or `per-node`; anything else is refused, not read as the default. */
function envGenerators(): Sizes['generators'] {
  const raw = process.env.BENCH_NODES_GENERATORS;
  if (raw === undefined || raw === '' || raw === 'one') return 'one';
  if (raw === 'per-node') return 'per-node';
  throw new Error(`BENCH_NODES_GENERATORS must be "one" or "per-node", got "${raw}"`);
}

/** A number of cores (more than 0) from the environment, the default, or null for `0` (off). */
function envCores(name: string, fallback: number): number | null {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (value === 0) return null;
  if (!Number.isFinite(value) || value < 0.05) throw new Error(`${name} must be a number of cores of at least 0.05, or 0 to skip, got "${raw}"`);
  return value;
}

export const bench: BenchModule = {
  name: 'nodes',
  summary: 'API transitions at a fixed offered rate on SQLite, PostgreSQL with one node and PostgreSQL with two nodes; one node against two offered more than one answers, sharing the machine and each held to a CPU budget of its own',
  async run(): Promise<Figure[]> {
    const rate = envInt('BENCH_NODES_RATE', 300);
    const seconds = envInt('BENCH_NODES_SECONDS', 15);
    const clients = envInt('BENCH_NODES_CLIENTS', 128);
    const warmUp = envInt('BENCH_NODES_WARMUP', 3000);
    const sizes: Sizes = { clients, warmUp, generators: envGenerators(), budget: null };
    const budget = envCores('BENCH_NODES_BUDGET', 0.5);
    setPasswordHashCost(1024);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-nodes-'));
    const schemas: string[] = [];
    const pgUrl = () => {
      const schema = `bench_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    };
    // PATHWAYS_PG_WRITERS settings to compare on one PostgreSQL node (the first also runs the two nodes).
    const writers = (process.env.BENCH_NODES_WRITERS ?? '').split(',').map((w) => w.trim()).filter((w) => /^[1-9][0-9]*$/.test(w));
    const onlyPg = process.env.BENCH_NODES_SQLITE === '0';
    const rounds = envInt('BENCH_NODES_ROUNDS', 1, 0);
    try {
      const settings = writers.length > 0 ? writers : [''];
      const envOf = (w: string): Record<string, string> => (w ? { PATHWAYS_PG_WRITERS: w } : {});
      const suffix = (w: string): string => (w ? ` (${w} writer${w === '1' ? '' : 's'})` : '');
      // Each round runs every configuration in turn, so the rounds share the machine's moods alike.
      const runs: Array<{ sqlite: Outcome | null; ones: Outcome[]; two: Outcome | null }> = [];
      for (let round = 1; round <= rounds; round++) {
        if (rounds > 1) console.log(`   round ${round} of ${rounds}`);
        const sqlite = onlyPg ? null : await runConfig('SQLite, one node', `sqlite:${join(dir, `nodes-${round}.db`)}`, 1, rate, seconds, sizes);
        const ones: Outcome[] = [];
        for (const w of settings) ones.push(await runConfig(`PostgreSQL, one node${suffix(w)}`, pgUrl(), 1, rate, seconds, sizes, envOf(w)));
        const two = process.env.BENCH_NODES_TWO === '0' ? null : await runConfig(`PostgreSQL, two nodes${suffix(settings[0]!)}`, pgUrl(), 2, rate, seconds, sizes, envOf(settings[0]!));
        runs.push({ sqlite, ones, two });
      }
      // At 300/s both keep up, so their rates are equal by construction: offered more than one
      // node answers, which answers more?
      const capacity = process.env.BENCH_NODES_CAPACITY === '0' || process.env.BENCH_NODES_TWO === '0' ? 0 : envInt('BENCH_NODES_CAPACITY', 1500);
      /** One node, then two, offered `offered`/s for 10 s. */
      const oneThenTwo = async (offered: number, how: Sizes, also: string) => ({
        one: await runConfig(`PostgreSQL, one node${also} at ${offered}/s`, pgUrl(), 1, offered, 10, how, envOf(settings[0]!)),
        two: await runConfig(`PostgreSQL, two nodes${also} at ${offered}/s`, pgUrl(), 2, offered, 10, how, envOf(settings[0]!)),
      });
      const most = capacity ? await oneThenTwo(capacity, sizes, '') : null;
      // Each serve process held to a budget of its own, as on machines of their own: do two
      // nodes on one PostgreSQL answer more than one, or does something they share hold them back?
      const budgetRate = envInt('BENCH_NODES_BUDGET_RATE', 1000);
      const withBudget = budget !== null && process.env.BENCH_NODES_TWO !== '0';
      const noBudget = withBudget ? whyNoCpuBudget() : null;
      if (noBudget) console.log(`   not measured with a CPU budget per node: ${noBudget}`);
      const budgeted = withBudget && !noBudget ? await oneThenTwo(budgetRate, { ...sizes, budget }, `, held to ${budget} core a node`) : null;
      const of = rounds > 1 ? `, median of ${rounds} rounds` : '';
      const row = (all: Outcome[]): Figure[] => {
        const o = all[0]!;
        const failed = all.reduce((n, r) => n + r.failed, 0);
        const late = all.reduce((n, r) => n + r.late, 0);
        const failures = all.reduce<Record<string, number>>((sum, r) => {
          for (const [what, n] of Object.entries(r.failures)) sum[what] = (sum[what] ?? 0) + n;
          return sum;
        }, {});
        const p99s = all.map((r) => r.p99);
        return [
          { name: `${o.label}: transitions/s at ${rate}/s offered for ${seconds} s${of}`, value: median(all.map((r) => r.rate)), unit: '/s', note: `${failed} failed${failedAs({ ...o, failures })}, ${late} sent late` },
          {
            name: `${o.label}: latency p50 / p99${of}`,
            value: `${median(all.map((r) => r.p50)).toFixed(1)} / ${median(p99s).toFixed(1)}`,
            unit: 'ms',
            note: `from when each request was due; aim p99 ≤ 50 ms${all.length > 1 ? `; p99 by round ${p99s.map((p) => p.toFixed(1)).join(', ')} (${p99s.filter((p) => p <= 50).length} of ${all.length} within the aim)` : ''}`,
          },
          { name: `${o.label}: serve CPU per transition${of}`, value: median(all.map((r) => r.cpuMs)), unit: 'ms', note: 'user + system time of the serve process(es) over the run ÷ transitions answered' },
          {
            name: `${o.label}: the warm-up before it, the first ${o.warm.seconds.toFixed(0)} s after start: p99${of}`,
            value: median(all.map((r) => r.warm.p99)),
            unit: 'ms',
            note: `serve CPU ${median(all.map((r) => r.warm.cpuMs)).toFixed(2)} ms a transition; not part of the figures above (BENCH_NODES_WARMUP)`,
          },
        ];
      };
      /** The median over the rounds of a ratio taken within each round. */
      const ratio = (f: (run: (typeof runs)[number]) => number): number => median(runs.map(f));
      const sqlites = runs.flatMap((r) => (r.sqlite ? [r.sqlite] : []));
      const twos = runs.flatMap((r) => (r.two ? [r.two] : []));
      return [
        ...(sqlites.length > 0 ? row(sqlites) : []),
        ...(runs.length > 0 ? settings.flatMap((_, i) => row(runs.map((r) => r.ones[i]!))) : []),
        ...(twos.length > 0 ? row(twos) : []),
        ...(sqlites.length > 0
          ? [
              { name: `transitions/s PostgreSQL ÷ SQLite, one node${of}`, value: ratio((r) => r.ones[0]!.rate / Math.max(1, r.sqlite!.rate)), unit: '×' },
              { name: `p99 PostgreSQL ÷ SQLite, one node${of}`, value: ratio((r) => r.ones[0]!.p99 / Math.max(0.1, r.sqlite!.p99)), unit: '×', note: rounds > 1 ? 'each round\'s ratio, then their median' : undefined },
            ]
          : []),
        ...(twos.length > 0
          ? [
              { name: `transitions/s two nodes ÷ one node (PostgreSQL)${of}`, value: ratio((r) => r.two!.rate / Math.max(1, r.ones[0]!.rate)), unit: '×', note: 'aim: at least 1' },
              { name: `p99 two nodes ÷ one node (PostgreSQL)${of}`, value: ratio((r) => r.two!.p99 / Math.max(0.1, r.ones[0]!.p99)), unit: '×', note: rounds > 1 ? 'each round\'s ratio, then their median' : undefined },
            ]
          : []),
        ...(most
          ? capacityFigures(most, capacity, '', 'the nodes, PostgreSQL and the generator share this machine\'s cores, so a second node brings no CPU of its own: the aim is judged with a budget per node (below)')
          : []),
        ...(noBudget ? [{ name: `transitions/s two nodes ÷ one node, each serve process held to ${budget} core (PostgreSQL)`, value: 'not measured', note: noBudget }] : []),
        ...(budgeted && budget ? capacityFigures(budgeted, budgetRate, `, each serve process held to ${budget} core (BENCH_NODES_BUDGET)`, 'aim: at least 1 (each node with CPU of its own, as on a machine of its own)') : []),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await client.end();
    }
  },
};
