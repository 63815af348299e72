/**
 * One HTTP route, declared as data: method, path, the zod schemas of its params, query,
 * body and responses, and the roles that may call it. The same declaration validates
 * requests (`mount-routes.ts`) and produces the OpenAPI document (`openapi-document.ts`),
 * so the documentation cannot drift from behaviour.
 */
import type { z } from 'zod';
import type { AuthUser, Role } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler receives: validated input and the signed-in user. */
export interface RouteInput<P, Q, B, U> {
  params: P;
  query: Q;
  body: B;
  user: U;
  ctx: AppContext;
  /** The client's address (the socket's; Pathways trusts no forwarding header). */
  ip: string;
}

/** What a handler returns; it is sent as JSON unless `contentType` says otherwise. */
export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` (a string) as it is, with this content type (HTML pages). */
  contentType?: string;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

/** A route declaration. `auth: 'public'` routes need no token. */
export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  A extends 'public' | readonly Role[] = 'public' | readonly Role[],
> {
  method: HttpMethod;
  /** Express path syntax (`/api/v1/cases/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: A;
  /**
   * Routes that name one record answer 404, not 403, to a role that may not use them,
   * so the answer never tells them whether the record exists.
   */
  hideFromOtherRoles?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseSpec>;
  handle(
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, A extends 'public' ? AuthUser | null : AuthUser>,
  ): Promise<RouteResult>;
}

/** Any route, for the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers are typed at definition; the registry erases them
export type AnyRoute = RouteDefinition<any, any, any, any>;

/** Declares a route with its input types inferred from the schemas. */
export function defineRoute<
  P extends z.ZodType = z.ZodObject<Record<string, never>>,
  Q extends z.ZodType = z.ZodObject<Record<string, never>>,
  B extends z.ZodType = z.ZodUndefined,
  const A extends 'public' | readonly Role[] = readonly Role[],
>(route: RouteDefinition<P, Q, B, A>): AnyRoute {
  return route as AnyRoute;
}
