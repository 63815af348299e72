/**
 * One log line per request, and a request id on every answer. The id is the caller's
 * `X-Request-Id` when it looks like one (so a proxy's id follows the request through),
 * otherwise a fresh UUID; it is echoed in the response's `X-Request-Id` so a user reporting
 * a problem can quote it. The line holds the method, the route template (`/api/v1/cases/:id`,
 * never the path a client sent with its values), the status and the duration — no bodies,
 * no query strings, no headers: nothing that could carry a person's details.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** Response local holding what the finish listener logs (set here, completed by the route). */
export interface RequestLogState {
  logger: Logger;
  id: string;
  start: number;
  /** The declared route's path template, set when a route served the request. */
  route: string | null;
}

const REQUEST_LOG = Symbol('pathways.requestLog');
type Logged = Response & { [REQUEST_LOG]?: RequestLogState };

/** Ids a client may choose: short, printable, no spaces — anything else is replaced. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The log state of a response (null when the request log is not in the chain). */
export function requestLogOf(res: Response): RequestLogState | null {
  return (res as Logged)[REQUEST_LOG] ?? null;
}

/** Records the route template that served `res` (called by the route mount). */
export function noteRoute(res: Response, path: string): void {
  const state = (res as Logged)[REQUEST_LOG];
  if (state) state.route = path;
}

// One listener for every response (no closure per request): `this` is the response.
function logFinished(this: Logged): void {
  const state = this[REQUEST_LOG];
  if (!state) return;
  const ms = Math.round((performance.now() - state.start) * 100) / 100;
  const level = this.statusCode >= 500 ? 'error' : 'info';
  // Unknown paths log no path at all: a client may put anything in one.
  state.logger[level]({ requestId: state.id, method: this.req.method, route: state.route, status: this.statusCode, ms }, 'request');
}

/** Middleware giving each request an id (header in, header out) and logging it when answered. */
export function requestLog(logger: Logger): RequestHandler {
  // Errors are logged at any level but `silent`; request lines only from `info` down.
  const logs = logger.isLevelEnabled('error');
  return function tagRequest(req, res, next) {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    if (logs) {
      (res as Logged)[REQUEST_LOG] = { logger, id, start: performance.now(), route: null };
      res.once('finish', logFinished);
    }
    next();
  };
}
