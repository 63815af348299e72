/**
 * Turns route declarations into Express handlers: sign-in, role check, validation of
 * params, query and body with the declared zod schemas, then the handler; its result is
 * sent as JSON. Every refusal is a `PathwaysError`, so the problem handler maps it.
 */
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { PathwaysError } from '../../src/errors.ts';
import { bearerFrom, resolveToken } from '../auth/bearer-tokens.ts';
import type { AppContext, AuthUser } from '../context.ts';
import { fromZodError } from '../http/problem.ts';
import type { AnyRoute } from './route.ts';

/** The path of the first string holding a NUL character, or null. */
function nulPath(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 64 || typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key];
    const found = nulPath(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  // Text with NUL characters cannot be stored (PostgreSQL refuses it) and is never meant.
  const nul = nulPath(value);
  if (nul) {
    const path = nul.join('.') || where;
    throw new PathwaysError('validation_failed', `Fix the ${where}: ${path} contains a NUL character.`, { issues: [{ path, message: 'must not contain NUL characters' }] });
  }
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error, where);
  return result.data;
}

async function signIn(ctx: AppContext, req: Request): Promise<AuthUser | null> {
  const token = bearerFrom(req.headers.authorization);
  if (!token) return null;
  const now = ctx.now();
  const cached = ctx.tokenCache.get(token, now);
  if (cached) return cached;
  const user = await resolveToken(ctx.store.db, token, now);
  if (user) ctx.tokenCache.set(token, user, user.tokenExpiresAt, now);
  return user;
}

/** Builds a router serving every declared route. */
export function mountRoutes(ctx: AppContext, routes: readonly AnyRoute[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      let user: AuthUser | null = null;
      if (route.auth !== 'public') {
        user = await signIn(ctx, req);
        if (!user) {
          throw new PathwaysError('unauthenticated', 'Sign in with POST /api/v1/auth/login and send the token as Authorization: Bearer TOKEN.');
        }
        if (!(route.auth as readonly string[]).includes(user.role)) {
          if (route.hideFromOtherRoles) throw new PathwaysError('not_found', 'The record was not found.');
          throw new PathwaysError('forbidden', `This route is for ${(route.auth as readonly string[]).join(', ')} users; you are signed in as ${user.role}.`);
        }
      } else if (req.headers.authorization) {
        user = await signIn(ctx, req);
      }
      const params = parse(route.params, req.params, 'params');
      const query = parse(route.query, req.query, 'query');
      const rawBody: unknown = req.body;
      // A body-less POST (logout, withdraw) reaches here as undefined; treat it as {}.
      const body = route.body ? parse(route.body, rawBody ?? {}, 'body') : undefined;
      const result = await route.handle({ params, query, body, user, ctx, req, res });
      if (result.sent) return;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      res.status(result.status).json(result.body);
    });
  }
  return router;
}
