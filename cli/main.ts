/**
 * The `pathways` command line. Each sub-command lives in its own file under `commands/`;
 * this file only dispatches and prints help.
 */
import { auditCommand } from './commands/audit.ts';
import { demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { metricsCommand } from './commands/metrics.ts';
import { seedCommand } from './commands/seed.ts';
import { serveCommand } from './commands/serve.ts';

export interface Command {
  /** One line for `pathways help`. */
  summary: string;
  /** Usage lines shown by `pathways help NAME` and on a usage error. */
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Sub-commands by name. Add one line per command. */
const COMMANDS: Record<string, Command> = {
  audit: auditCommand,
  demo: demoCommand,
  migrate: migrateCommand,
  metrics: metricsCommand,
  seed: seedCommand,
  serve: serveCommand,
};

function printHelp(): void {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  console.log('Pathways — multi-agency referral and care-pathway engine\n');
  console.log('Usage: pathways COMMAND [OPTIONS]\n');
  for (const [name, cmd] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(width)}  ${cmd.summary}`);
  console.log('\nThe store is chosen by DATABASE_URL: a file path or sqlite:PATH (default ./data/pathways.db), or postgres://…');
  console.log('Run `pathways help COMMAND` for a command\'s options.');
}

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    if (topic) console.log(`${topic.summary}\n\n${topic.usage}`);
    else printHelp();
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`pathways: unknown command "${name}". Known commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    console.error(`pathways ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
