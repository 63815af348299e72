import { openStore } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from '../main.ts';

export const migrateCommand: Command = {
  summary: 'Create or update the database schema',
  usage: 'Usage: pathways migrate\n\nApplies every pending migration to the store named by DATABASE_URL.',
  async run(args, config) {
    const parsed = parseCommandArgs(args, {});
    if (typeof parsed === 'string') {
      console.error(`pathways migrate: ${parsed}\n${this.usage}`);
      return 2;
    }
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      const result = await migrate(store);
      if (result.applied.length === 0) console.log(`Schema up to date (${result.alreadyApplied.length} migrations).`);
      else console.log(`Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
