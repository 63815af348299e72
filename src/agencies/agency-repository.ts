/** Agencies and staff accounts: plain functions taking `db` (or a transaction) first. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { AgencyTable, Database, UserTable } from '../db/schema.ts';

/** An agency row as read. */
export type AgencyRow = Selectable<AgencyTable>;

/** An agency as the API returns it. */
export function agencyView(row: AgencyRow) {
  return { id: row.id, name: row.name, kind: row.kind, area: row.area, createdAt: row.created_at };
}

/** A user as the API returns it: never the password hash. */
export function userView(row: UserTable, agency?: AgencyRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    agencyId: row.agency_id,
    createdAt: row.created_at,
    ...(agency ? { agency: { id: agency.id, name: agency.name, kind: agency.kind, area: agency.area } } : {}),
  };
}

export async function insertAgency(db: Kysely<Database>, input: { name: string; kind: string; area: string; createdAt: string }): Promise<AgencyRow> {
  const row: AgencyRow = { id: randomUUID(), name: input.name, kind: input.kind, area: input.area, created_at: input.createdAt, deactivated_at: null };
  await db.insertInto('agencies').values(row).execute();
  return row;
}

export async function findAgency(db: Kysely<Database>, id: string): Promise<AgencyRow | undefined> {
  return db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAgencies(db: Kysely<Database>): Promise<AgencyRow[]> {
  return db.selectFrom('agencies').selectAll().orderBy('name').orderBy('id').execute();
}

export async function insertUser(
  db: Kysely<Database>,
  input: { email: string; name: string; passwordHash: string; role: string; agencyId: string; createdAt: string },
): Promise<UserTable> {
  const row: UserTable = {
    id: randomUUID(),
    email: input.email.trim().toLowerCase(),
    name: input.name,
    password_hash: input.passwordHash,
    role: input.role,
    agency_id: input.agencyId,
    created_at: input.createdAt,
    disabled_at: null,
  };
  await db.insertInto('users').values(row).execute();
  return row;
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findUser(db: Kysely<Database>, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Kysely<Database>, filter: { agencyId?: string; role?: string }): Promise<UserTable[]> {
  let q = db.selectFrom('users').selectAll();
  if (filter.agencyId) q = q.where('agency_id', '=', filter.agencyId);
  if (filter.role) q = q.where('role', '=', filter.role);
  return q.orderBy('email').execute();
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
