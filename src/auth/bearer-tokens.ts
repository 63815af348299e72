/**
 * Opaque bearer tokens. The caller gets 32 random bytes; the database keeps only their
 * SHA-256, so a copy of the database does not sign anyone in. Tokens expire (the lifetime
 * is the caller's: `PATHWAYS_TOKEN_TTL_MINUTES` for `pathways serve`, default 12 hours) and
 * can be revoked one by one.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database } from '../db/schema.ts';
import { ROLES, type AuthUser, type Role } from './auth-user.ts';

const PREFIX = 'pwt_';

/** Token lifetime in minutes when nobody says otherwise: a working day and then some. */
export const DEFAULT_TOKEN_TTL_MINUTES = 12 * 60;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a token for a user; returns the token (shown once) and when it expires. */
export async function issueToken(
  db: Kysely<Database>,
  userId: string,
  now: Date,
  ttlMinutes: number,
): Promise<{ token: string; expiresAt: string }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
  await db
    .insertInto('auth_tokens')
    .values({ id: randomUUID(), token_hash: hashToken(token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null })
    .execute();
  return { token, expiresAt };
}

type TokenRow = {
  tokenId: string;
  expires_at: string;
  revoked_at: string | null;
  id: string;
  email: string;
  name: string;
  role: string;
  disabled_at: string | null;
  agencyId: string;
  agencyName: string;
  agencyKind: string;
  agencyArea: string;
};

/** The token's row with its user and agency, as fixed SQL (prepared once per connection on PostgreSQL). */
const TOKEN_SELECT =
  'select t.id as "tokenId", t.expires_at, t.revoked_at, u.id, u.email, u.name, u.role, u.disabled_at, ' +
  'a.id as "agencyId", a.name as "agencyName", a.kind as "agencyKind", a.area as "agencyArea" ' +
  'from auth_tokens as t inner join users as u on u.id = t.user_id inner join agencies as a on a.id = u.agency_id where t.token_hash = ';
const TOKEN_LOOKUP = `${TOKEN_SELECT}?`;

/**
 * The user a token signs in, or null when it is unknown, expired, revoked or the user is
 * disabled. `direct` (PostgreSQL: direct SQL on the store's pool) reads it as a statement
 * prepared once per connection rather than built and planned for every request.
 */
export async function resolveToken(db: Kysely<Database>, token: string, now: Date, direct?: DirectSql): Promise<AuthUser | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row: TokenRow | undefined = direct
    ? await direct.get<TokenRow>(TOKEN_LOOKUP, [hashToken(token)])
    : (await sql<TokenRow>`${sql.raw(TOKEN_SELECT)}${hashToken(token)}`.execute(db)).rows[0];
  if (!row || row.revoked_at !== null || row.disabled_at !== null) return null;
  if (row.expires_at <= now.toISOString()) return null;
  if (!(ROLES as readonly string[]).includes(row.role)) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    agencyId: row.agencyId,
    agency: { id: row.agencyId, name: row.agencyName, kind: row.agencyKind, area: row.agencyArea },
    tokenId: row.tokenId,
    tokenExpiresAt: row.expires_at,
  };
}

/** Revokes one token at once; later requests with it answer 401. */
export async function revokeToken(db: Kysely<Database>, tokenId: string, now: Date): Promise<void> {
  await db.updateTable('auth_tokens').set({ revoked_at: now.toISOString() }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
}

/** Reads the bearer token from an `Authorization` header value. */
export function bearerFrom(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
