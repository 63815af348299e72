/**
 * The `pathways` command line. Each sub-command lives in its own file under `commands/`;
 * this file reads the configuration once (`config.ts`), dispatches, and prints help.
 * Exit status: 0 done, 1 the command failed, 2 a usage or configuration error.
 */
import { configurePasswordHashPool, setPasswordHashCost } from '../src/auth/password.ts';
import { auditCommand } from './commands/audit.ts';
import { demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { metricsCommand } from './commands/metrics.ts';
import { seedCommand } from './commands/seed.ts';
import { serveCommand } from './commands/serve.ts';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type PathwaysConfig } from './config.ts';

export interface Command {
  /** One line for `pathways help`. */
  summary: string;
  /** Usage lines shown by `pathways help NAME` and on a usage error. */
  usage: string;
  /** Runs with the words after the command's name and the parsed configuration; resolves to the exit status. */
  run(args: string[], config: PathwaysConfig): Promise<number>;
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
  console.log('\nEnvironment (read once at start-up; a wrong value stops the command and is named):');
  const vars = Math.max(...Object.keys(CONFIG_VARIABLES).map((n) => n.length));
  for (const [name, meaning] of Object.entries(CONFIG_VARIABLES)) console.log(`  ${name.padEnd(vars)}  ${meaning}`);
  console.log('\nRun `pathways help COMMAND` for a command\'s options.');
}

const HELP = new Set(['help', '--help', '-h']);

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || HELP.has(name)) {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    if (rest[0] && !topic) {
      console.error(`pathways help: unknown command "${rest[0]}". Known commands: ${Object.keys(COMMANDS).join(', ')}.`);
      return 2;
    }
    if (topic) console.log(`${topic.summary}\n\n${topic.usage}`);
    else printHelp();
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`pathways: unknown command "${name}". Known commands: ${Object.keys(COMMANDS).join(', ')}. Run \`pathways help\` for more.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  let config: PathwaysConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`pathways ${name}: ${err.message}`);
    return 2;
  }
  setPasswordHashCost(config.scryptCost);
  configurePasswordHashPool({ ...(config.hashThreads !== null ? { workers: config.hashThreads } : {}), queueLimit: config.hashQueue, nice: config.hashNice });
  try {
    return await command.run(rest, config);
  } catch (err) {
    console.error(`pathways ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
