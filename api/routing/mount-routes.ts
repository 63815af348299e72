/**
 * The declared routes as one Express router: the only way a request reaches a route.
 * Each route gets one handler, built once at start-up; it runs the route (`run-route.ts`:
 * sign-in, role, validation, handler) and writes the answer in one go (`send-text.ts`).
 * A refusal thrown on the way is passed to the app's problem handler by Express 5.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.ts';
import { noteRoute } from '../http/request-log.ts';
import { sendText } from '../http/send-text.ts';
import { encodeResult, runRoute } from './run-route.ts';
import type { AnyRoute } from './route.ts';

/** Builds a router serving every declared route. */
export function mountRoutes(ctx: AppContext, routes: readonly AnyRoute[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async function serveRoute(req: Request, res: Response): Promise<void> {
      noteRoute(res, route.path);
      const result = await runRoute(ctx, route, {
        params: req.params as Record<string, string>,
        query: req.query,
        body: req.body as unknown,
        authorization: req.headers.authorization,
        // The client's address: the connecting one, or X-Forwarded-For's when `trust proxy` names the balancer.
        ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      });
      const { contentType, payload } = encodeResult(result);
      sendText(res, result.status, contentType, payload, result.headers ? Object.entries(result.headers) : undefined);
    });
  }
  return router;
}
