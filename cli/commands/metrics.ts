import { openStore } from '../../src/db/database.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from '../main.ts';

/** `pathways metrics rebuild`: recompute every measure from the event log and base tables. */
export const metricsCommand: Command = {
  summary: 'Recompute the measures from the event log (after a bulk seed, or to check them)',
  usage:
    'Usage: pathways metrics rebuild\n\n' +
    'Replays every journey and referral event through the measures and replaces the stored\n' +
    'counters in one transaction. Writers wait while it runs (minutes at national scale).',
  async run(args, config) {
    const parsed = parseCommandArgs(args, {}, 1);
    const problem = typeof parsed === 'string' ? parsed : parsed.positionals[0] !== 'rebuild' ? `expected "rebuild"${args[0] ? `, got "${args.join(' ')}"` : ''}` : null;
    if (problem) {
      console.error(`pathways metrics: ${problem}\n${this.usage}`);
      return 2;
    }
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      let last = 0;
      const report = await rebuildMetrics(store, {
        timeZone: config.timeZone,
        onProgress: (events) => {
          if (process.stderr.isTTY && events - last >= 50_000) {
            last = events;
            process.stderr.write(`\r  ${events.toLocaleString('en-GB')} events replayed`);
          }
        },
      });
      if (process.stderr.isTTY && last > 0) process.stderr.write('\n');
      console.log(
        `Rebuilt measures from ${report.events} events: ${report.journeys} journeys, ${report.referrals} referrals, ` +
          `${report.counterRows} counter rows in ${(report.ms / 1000).toFixed(1)} s.`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
