/**
 * `pathways demo` (what `npm start` runs): migrates, loads the fictional Northbridge area
 * with its demo logins and a small synthetic cohort when the database is empty, and
 * serves the API and the web app on PORT (default 3000).
 */
import { DEMO_LOGINS } from '../../seeds/demo-area.ts';
import { openStore } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import type { Command } from '../main.ts';
import { seedDemo } from './seed.ts';
import { pino } from 'pino';
import { parseServeArgs, serveOptions, startPathways, untilSignalled } from './serve.ts';

/** People in the demo cohort: enough to fill every stage, quick to seed. */
export const DEMO_COHORT_PEOPLE = 400;

export const demoCommand: Command = {
  summary: 'Run the demo: the Northbridge area, demo logins and a cohort, served on PORT (default 3000)',
  usage:
    'Usage: pathways demo [--port P] [--host H]\n\n' +
    `On an empty database, loads the reference codes, the Northbridge demo area and ${DEMO_COHORT_PEOPLE} people,\n` +
    'then serves the API and the web app. DATABASE_URL picks the store (default ./data/pathways.db).',
  async run(args, config) {
    const parsed = parseServeArgs(args, { port: config.port });
    if (typeof parsed === 'string') {
      console.error(`pathways demo: ${parsed}\n${this.usage}`);
      return 2;
    }
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      await migrate(store);
      const users = await store.db.selectFrom('users').select('id').limit(1).execute();
      if (users.length === 0) {
        console.log('Empty database: loading the Northbridge demo area and a synthetic cohort…');
        const seeded = await seedDemo(store, { people: DEMO_COHORT_PEOPLE });
        console.log(`Seeded ${seeded.area.agencies} agencies, ${seeded.area.users} staff and ${seeded.cohort?.journeys ?? 0} journeys.`);
      }
      const running = await startPathways(store, { ...serveOptions(config, pino({ level: config.logLevel })), host: '0.0.0.0', ...parsed });
      const url = running.server.url;
      console.log(`\nPathways demo: ${url}   (API reference: ${url}/api/docs)\n`);
      console.log('Demo logins (password for all: ' + (DEMO_LOGINS[0]?.password ?? '') + '):');
      const width = Math.max(...DEMO_LOGINS.map((l) => l.email.length));
      for (const login of DEMO_LOGINS) console.log(`  ${login.email.padEnd(width)}  ${login.role.padEnd(9)}  ${login.agency}`);
      const signal = await untilSignalled();
      console.log(`Stopping (${signal})…`);
      await running.stop();
      return 0;
    } finally {
      await store.close();
    }
  },
};
