/**
 * `npm run chaos`: kill -9 under load on SQLite (one node) and on PostgreSQL (two nodes),
 * then the store's own account of what survived (bench/chaos-run.ts). Sizes (env):
 * CHAOS_KILLS (SQLite kills, default 20; PostgreSQL gets half), CHAOS_INTERVAL_MS (1500),
 * CHAOS_WRITERS (16), CHAOS_PORT (first port, default 3106; a second node 10 above).
 * Exits 1 when any check fails.
 */
import { envInt } from './bench-types.ts';
import { runChaos, type ChaosReport } from './chaos-run.ts';

const kills = envInt('CHAOS_KILLS', 20);
const intervalMs = envInt('CHAOS_INTERVAL_MS', 1500);
const writers = envInt('CHAOS_WRITERS', 16);
const basePort = envInt('CHAOS_PORT', 3106);

const failed = (r: ChaosReport): boolean =>
  r.lost > 0 || r.duplicated > 0 || r.unaccounted > 0 || r.timersFiredTwice > 0 || r.timersPending > 0 || !r.chainOk || r.socketMisses > 0;

const reports: ChaosReport[] = [];
reports.push(await runChaos({ dialect: 'sqlite', nodes: 1, kills, intervalMs, writers, journeys: 64, referrals: 40, basePort }));
reports.push(await runChaos({ dialect: 'postgres', nodes: 2, kills: Math.max(1, Math.round(kills / 2)), intervalMs, writers, journeys: 64, referrals: 40, basePort }));
for (const r of reports) {
  console.log(
    `${r.dialect}, ${r.nodes} node(s): ${r.kills} kills -9 in ${r.seconds.toFixed(0)} s; ${r.acknowledged} writes acknowledged, ${r.lost} lost, ${r.duplicated} duplicated, ${r.unaccounted} journeys with unaccounted events; ` +
      `${r.timersDue} timers due, ${r.timersFiredTwice} fired twice, ${r.timersPending} still pending; chain ${r.chainOk ? 'verifies' : 'BROKEN'} (${r.chainRows} events); ` +
      `sockets missed ${r.socketMisses} (after ${r.socketCatchUps} catch-ups) — ${failed(r) ? 'FAILED' : 'ok'}`,
  );
}
process.exitCode = reports.some(failed) ? 1 : 0;
