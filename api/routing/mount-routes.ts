/**
 * The declared routes as an Express router: the way in for requests the lean dispatcher
 * (`route-dispatch.ts`) leaves to Express — HEAD and OPTIONS, paths in another letter case
 * or with a trailing slash, bodies in another charset or encoding. The route runs exactly
 * as it does there (`run-route.ts`); only the sending differs.
 */
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { encodeResult, runRoute } from './run-route.ts';
import type { AnyRoute } from './route.ts';

/** Builds a router serving every declared route. */
export function mountRoutes(ctx: AppContext, routes: readonly AnyRoute[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      const result = await runRoute(ctx, route, {
        params: req.params as Record<string, string>,
        query: req.query,
        body: req.body as unknown,
        authorization: req.headers.authorization,
        ip: req.ip ?? 'unknown',
      });
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      const { contentType, payload } = encodeResult(result);
      res.status(result.status).type(contentType);
      res.send(payload);
    });
  }
  return router;
}
