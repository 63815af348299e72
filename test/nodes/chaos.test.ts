/**
 * The short chaos run of CI (`npm run chaos` is the long one): kill -9 under load on SQLite
 * with one node and on PostgreSQL with two, then every acknowledged write stored once, every
 * due timer fired once, the chain verified, and no live socket left without a change it was
 * entitled to (bench/chaos-run.ts). Uses ports 3106 and 3116.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../bench/chaos-run.ts';

describe('kill -9 under load', () => {
  it.each([
    ['sqlite', 1],
    ['postgres', 2],
  ] as const)('on %s with %i node(s), nothing acknowledged is lost or doubled, timers fire once, the chain verifies, sockets catch up', async (dialect, nodes) => {
    const report = await runChaos({ dialect, nodes, kills: 1, intervalMs: 1500, writers: 4, journeys: 16, referrals: 10, basePort: 3106 });
    expect(report.kills).toBe(1);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, unaccounted: 0, timersFiredTwice: 0, timersPending: 0, chainOk: true, socketMisses: 0 });
    expect(report.timersDue).toBeGreaterThan(0);
  }, 120_000);
});
