import { openStore } from '../../src/db/database.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from '../main.ts';

/** `pathways audit verify`: walk the event log's hash chain and report the first broken link. */
export const auditCommand: Command = {
  summary: 'Check the event log has not been edited, deleted from or reordered',
  usage:
    'Usage: pathways audit verify\n\n' +
    'Walks every event in order, recomputing each hash and checking each row links to the one\n' +
    'before it. Prints the rows checked and OK, or the first broken row (seq) and why.\n' +
    'Exit status: 0 when the chain is intact, 1 when it is broken.',
  async run(args, config) {
    const parsed = parseCommandArgs(args, {}, 1);
    const problem = typeof parsed === 'string' ? parsed : parsed.positionals[0] !== 'verify' ? `expected "verify"${args[0] ? `, got "${args.join(' ')}"` : ''}` : null;
    if (problem) {
      console.error(`pathways audit: ${problem}\n${this.usage}`);
      return 2;
    }
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      const report = await verifyChain(store.db);
      if (report.ok) {
        console.log(`Event log OK: ${report.rowsChecked} rows checked${report.lastSeq !== null ? ` (last seq ${report.lastSeq})` : ''}, head ${report.headHash}.`);
        return 0;
      }
      const why =
        report.reason === 'hash_mismatch'
          ? 'its contents no longer match its hash (the row was edited)'
          : 'it does not follow the row before it (a row was deleted, inserted or reordered)';
      console.log(`Event log BROKEN at seq ${report.brokenSeq}: ${why}. ${report.rowsChecked} rows before it verified.`);
      console.log(`  expected ${report.expected}\n  found    ${report.found}`);
      return 1;
    } finally {
      await store.close();
    }
  },
};
