/**
 * One declared route, run: sign-in, role check, validation of params, query and body with
 * the declared zod schemas, then the handler. Express's router (`mount-routes.ts`) calls it
 * for every request a route serves. Every refusal is thrown as a `PathwaysError`; the app's
 * problem handler turns it into a problem response.
 */
import type { z } from 'zod';
import { PathwaysError } from '../../src/errors.ts';
import { bearerFrom, resolveToken } from '../../src/auth/bearer-tokens.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { fromZodError } from '../http/problem.ts';
import { parseWithClock } from '../schemas/common.ts';
import type { AnyRoute, RouteResult } from './route.ts';

/** A request as the route sees it before validation. */
export interface RawRouteInput {
  params: Record<string, string>;
  query: unknown;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The client's address. */
  ip: string;
}

/** The path of the first string holding a NUL character, or null. */
function nulPath(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 64 || typeof value !== 'object' || value === null) return null;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000')) return [...path, key];
    const found = nulPath((value as Record<string, unknown>)[key], [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params', now: Date): unknown {
  // Text with NUL characters cannot be stored (PostgreSQL refuses it) and is never meant.
  const nul = nulPath(value);
  if (nul) {
    const path = nul.join('.') || where;
    throw new PathwaysError('validation_failed', `Fix the ${where}: ${path} contains a NUL character.`, { issues: [{ path, message: 'must not contain NUL characters' }] });
  }
  if (!schema) return value;
  // Dates are checked against the app's clock (api/schemas/common.ts).
  const result = parseWithClock(now, () => schema.safeParse(value));
  if (!result.success) throw fromZodError(result.error, where);
  return result.data;
}

async function signIn(ctx: AppContext, authorization: string | undefined): Promise<AuthUser | null> {
  const token = bearerFrom(authorization);
  if (!token) return null;
  const now = ctx.now();
  const cached = ctx.tokenCache.get(token, now);
  if (cached) return cached;
  // A request is never inside one of the engine's units: its token read skips the unit guard's look.
  const user = await ctx.store.unitGuard.outside(() => resolveToken(ctx.store.db, token, now, ctx.poolSql));
  if (user) ctx.tokenCache.set(token, user, user.tokenExpiresAt, now);
  return user;
}

/** Runs `route` for one request; resolves with what to send, or throws a `PathwaysError`. */
export async function runRoute(ctx: AppContext, route: AnyRoute, raw: RawRouteInput): Promise<RouteResult> {
  let user: AuthUser | null = null;
  if (route.auth !== 'public') {
    user = await signIn(ctx, raw.authorization);
    if (!user) {
      throw new PathwaysError('unauthenticated', 'Sign in with POST /api/v1/auth/login and send the token as Authorization: Bearer TOKEN.');
    }
    if (!(route.auth as readonly string[]).includes(user.role)) {
      if (route.hideFromOtherRoles) throw new PathwaysError('not_found', 'The record was not found.');
      throw new PathwaysError('forbidden', `This route is for ${(route.auth as readonly string[]).join(', ')} users; you are signed in as ${user.role}.`);
    }
  } else if (raw.authorization) {
    user = await signIn(ctx, raw.authorization);
  }
  const schemas = route as { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };
  const now = ctx.now();
  const params = parse(schemas.params, raw.params, 'params', now);
  const query = parse(schemas.query, raw.query, 'query', now);
  // A body-less POST (logout, withdraw) arrives as undefined; treat it as {}.
  const body = schemas.body ? parse(schemas.body, raw.body ?? {}, 'body', now) : undefined;
  // A route runs for an HTTP request, never inside one of the engine's units: what its
  // handler does before its first await (mostly starting its engine unit) skips the unit
  // guard's look; what the unit then runs is looked at as usual.
  return ctx.store.unitGuard.outside(() => route.handle({ params, query, body, user, ctx, ip: raw.ip }));
}

/** The bytes and content type of a route's answer: JSON unless the route names its own type. */
export function encodeResult(result: RouteResult): { contentType: string; payload: string | undefined } {
  if (result.contentType !== undefined) return { contentType: result.contentType, payload: typeof result.body === 'string' ? result.body : undefined };
  return { contentType: 'application/json; charset=utf-8', payload: result.body === undefined ? undefined : JSON.stringify(result.body) };
}
