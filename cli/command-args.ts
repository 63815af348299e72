/**
 * A command's arguments, read with node's `parseArgs` (strict: unknown options, missing
 * values and stray words are refused). Its errors are reworded to say what the option
 * takes, so `pathways seed --people` answers "--people needs a whole number of people
 * (e.g. --people 330000), got nothing" rather than a parser's internals.
 */
import { parseArgs } from 'node:util';

/** One option a command takes. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** For string options: what the value must be, as in "--port needs HINT". */
  hint?: string;
}

/** The parsed arguments: option values by name, and the words that are not options. */
export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function describe(options: Record<string, OptionSpec>): string {
  const names = Object.keys(options).map((n) => `--${n}`);
  return names.length === 0 ? 'it takes no options' : `its options are ${names.join(', ')}`;
}

/**
 * Parses `args` against `options`; `maxPositionals` words may follow (default none).
 * @returns the arguments, or a message saying what is wrong and what to give instead
 */
export function parseCommandArgs(args: readonly string[], options: Record<string, OptionSpec>, maxPositionals = 0): CommandArgs | string {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type }])),
      strict: true,
      allowPositionals: true,
    });
    if (parsed.positionals.length > maxPositionals) return `unexpected argument "${parsed.positionals[maxPositionals]}"`;
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    const name = /'--?([\w-]+)/.exec(message)?.[1] ?? '';
    const spec = options[name];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /Unknown option '([^']+)'/.exec(message)?.[1] ?? name;
      return `unknown option "${given}"; ${describe(options)}`;
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && spec) {
      if (spec.type === 'boolean') return `--${name} takes no value`;
      // Missing, or followed by something that looks like another option.
      const at = args.findIndex((a) => a === `--${name}`);
      const next = at >= 0 ? args[at + 1] : undefined;
      return `--${name} needs ${spec.hint ?? 'a value'}, got ${next === undefined ? 'nothing' : `"${next}"`}`;
    }
    return message.split('\n')[0] ?? message;
  }
}
