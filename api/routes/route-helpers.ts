/** Small helpers the route files share. */
import { localDateOfMs } from '../../machines/calendar-days.ts';
import { PathwaysError } from '../../src/errors.ts';
import type { Viewer } from '../../src/access/viewer.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';

/** The access-rule view of a signed-in user. */
export function viewerOf(user: AuthUser): Viewer {
  return { userId: user.id, role: user.role, agencyId: user.agencyId, agencyKind: user.agency.kind, agencyArea: user.agency.area };
}

/**
 * Today's date (`YYYY-MM-DD`) by the app's clock: the calendar day in the service's time
 * zone, the day its deadlines count by (a consent whose last day was yesterday there is
 * out of force from local midnight, not from midnight UTC).
 */
export function todayOf(ctx: AppContext): string {
  return localDateOfMs(ctx.now().getTime(), ctx.engine.timeZone);
}

/** The app's clock as an ISO string. */
export function nowIso(ctx: AppContext): string {
  return ctx.now().toISOString();
}

/** Encodes a pagination position as an opaque cursor. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; a tampered one answers 400 naming `cursor`. */
export function decodeCursor<K extends string>(cursor: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const fields = value as Record<string, unknown>;
    const fine = (v: unknown) => typeof v === 'string' && v.length <= 200 && !v.includes('\u0000');
    if (typeof value === 'object' && value !== null && keys.every((k) => fine(fields[k]))) {
      return value as Record<K, string>;
    }
  } catch {
    // fall through to the error below
  }
  throw new PathwaysError('validation_failed', 'The cursor is not valid; pass the nextCursor of the previous page unchanged.', {
    issues: [{ path: 'cursor', message: 'not a cursor this API issued' }],
  });
}

/** The 404 every hidden or missing record answers, so the two cannot be told apart. */
export function hidden(what: string): PathwaysError {
  return new PathwaysError('not_found', `${what} was not found, or you may not see it.`);
}
