/**
 * Agencies and staff accounts as read: plain functions taking `db` (or a transaction)
 * first. They are written only through their streams (agency-commands.ts).
 */
import type { Kysely, Selectable } from 'kysely';
import type { AgencyTable, Database, UserTable } from '../db/schema.ts';

/** An agency row as read. */
export type AgencyRow = Selectable<AgencyTable>;

/** A row with the version of its stream (null for a row with no stream yet). */
type Versioned<T> = T & { version?: number | null };

/** An agency as the API returns it. */
export function agencyView(row: Versioned<AgencyRow>) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    area: row.area,
    createdAt: row.created_at,
    deactivatedAt: row.deactivated_at,
    ...(row.version != null ? { version: row.version } : {}),
  };
}

/** A user as the API returns it: never the password hash. */
export function userView(row: Versioned<UserTable>, agency?: AgencyRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    agencyId: row.agency_id,
    createdAt: row.created_at,
    deactivatedAt: row.disabled_at,
    ...(row.version != null ? { version: row.version } : {}),
    ...(agency ? { agency: { id: agency.id, name: agency.name, kind: agency.kind, area: agency.area } } : {}),
  };
}

/** One agency with its stream version, or undefined. */
export async function findAgency(db: Kysely<Database>, id: string): Promise<Versioned<AgencyRow> | undefined> {
  return db
    .selectFrom('agencies')
    .leftJoin('record_streams as s', (j) => j.onRef('s.id', '=', 'agencies.id').on('s.stream_type', '=', 'agency'))
    .selectAll('agencies')
    .select('s.version')
    .where('agencies.id', '=', id)
    .executeTakeFirst();
}

/** Every agency (deactivated ones only when asked), by name. */
export async function listAgencies(db: Kysely<Database>, options: { includeDeactivated?: boolean } = {}): Promise<Versioned<AgencyRow>[]> {
  let q = db
    .selectFrom('agencies')
    .leftJoin('record_streams as s', (j) => j.onRef('s.id', '=', 'agencies.id').on('s.stream_type', '=', 'agency'))
    .selectAll('agencies')
    .select('s.version');
  if (!options.includeDeactivated) q = q.where('agencies.deactivated_at', 'is', null);
  return q.orderBy('agencies.name').orderBy('agencies.id').execute();
}

/** A user by email (compared lower-cased), or undefined. */
export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

/** One user with their stream version, or undefined. */
export async function findUser(db: Kysely<Database>, id: string): Promise<Versioned<UserTable> | undefined> {
  return db
    .selectFrom('users')
    .leftJoin('record_streams as s', (j) => j.onRef('s.id', '=', 'users.id').on('s.stream_type', '=', 'user'))
    .selectAll('users')
    .select('s.version')
    .where('users.id', '=', id)
    .executeTakeFirst();
}

/** Users, filtered by agency and role, by email. */
export async function listUsers(db: Kysely<Database>, filter: { agencyId?: string; role?: string }): Promise<Versioned<UserTable>[]> {
  let q = db
    .selectFrom('users')
    .leftJoin('record_streams as s', (j) => j.onRef('s.id', '=', 'users.id').on('s.stream_type', '=', 'user'))
    .selectAll('users')
    .select('s.version');
  if (filter.agencyId) q = q.where('users.agency_id', '=', filter.agencyId);
  if (filter.role) q = q.where('users.role', '=', filter.role);
  return q.orderBy('users.email').execute();
}

/** How many staff accounts exist. */
export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
