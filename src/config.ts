/**
 * Where Pathways keeps its data, read from `DATABASE_URL` everywhere (server, CLI, tests):
 * - unset: the embedded default, SQLite at `./data/pathways.db`;
 * - a file path or `sqlite:PATH`: SQLite at that path (`:memory:` for a throwaway store);
 * - `postgres://…` or `postgresql://…`: PostgreSQL; an optional `?schema=NAME` keeps
 *   the tables in their own schema (tests use one schema per run).
 */
export type StoreConfig =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string; schema: string | null };

export const DEFAULT_SQLITE_PATH = './data/pathways.db';

export function parseDatabaseUrl(url: string | undefined): StoreConfig {
  const value = (url ?? '').trim();
  if (value === '') return { dialect: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    const parsed = new URL(value);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    if (schema !== null && !/^[a-z_][a-z0-9_]*$/i.test(schema)) {
      throw new Error(`DATABASE_URL schema "${schema}" must be a plain identifier (letters, digits, _)`);
    }
    return { dialect: 'postgres', connectionString: parsed.toString(), schema };
  }
  if (value.startsWith('sqlite:')) return { dialect: 'sqlite', path: value.slice('sqlite:'.length) || DEFAULT_SQLITE_PATH };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`DATABASE_URL "${value.split(':')[0]}:" is not supported: use a file path, sqlite:PATH or postgres://…`);
  }
  return { dialect: 'sqlite', path: value };
}
