import { openStore } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import type { Command } from '../main.ts';

export const migrateCommand: Command = {
  summary: 'Create or update the database schema',
  usage: 'Usage: pathways migrate\n\nApplies every pending migration to the store named by DATABASE_URL.',
  async run(args) {
    if (args.length > 0) {
      console.error(`pathways migrate: unexpected argument "${args[0]}"\n${this.usage}`);
      return 2;
    }
    const store = await openStore();
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
