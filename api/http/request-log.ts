/**
 * One log line per request, and a request id on every answer. The id is the caller's
 * `X-Request-Id` when it looks like one (so a proxy's id follows the request through),
 * otherwise a fresh UUID; it is echoed in the response's `X-Request-Id` so a user reporting
 * a problem can quote it. The line holds the method, the route template (`/api/v1/cases/:id`,
 * never the path a client sent with its values), the status and the duration — no bodies,
 * no query strings, no headers: nothing that could carry a person's details.
 *
 * Refusals (429) come in floods — one address guessing passwords is refused hundreds of
 * times a second —, so they are logged at most once a second, each such line counting in
 * `refusedUnlogged` the refusals left out since the last.
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
  /** The refusals this logger has seen, shared by its requests. */
  refusals: RefusalCount;
}

/** When the last refusal was logged, and how many were left out since. */
interface RefusalCount {
  loggedAt: number;
  unlogged: number;
}

/** The least time between two logged refusals, in milliseconds. */
const REFUSAL_LOG_INTERVAL_MS = 1000;

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
  const end = performance.now();
  const ms = Math.round((end - state.start) * 100) / 100;
  const level = this.statusCode >= 500 ? 'error' : 'info';
  // Unknown paths log no path at all: a client may put anything in one.
  const line = { requestId: state.id, method: this.req.method, route: state.route, status: this.statusCode, ms };
  if (this.statusCode !== 429) {
    state.logger[level](line, 'request');
    return;
  }
  const count = state.refusals;
  if (end - count.loggedAt < REFUSAL_LOG_INTERVAL_MS) {
    count.unlogged += 1;
    return;
  }
  state.logger[level]({ ...line, refusedUnlogged: count.unlogged }, 'request');
  count.loggedAt = end;
  count.unlogged = 0;
}

/** Middleware giving each request an id (header in, header out) and logging it when answered. */
export function requestLog(logger: Logger): RequestHandler {
  // Errors are logged at any level but `silent`; request lines only from `info` down.
  const logs = logger.isLevelEnabled('error');
  const refusals: RefusalCount = { loggedAt: -Infinity, unlogged: 0 };
  return function tagRequest(req, res, next) {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    if (logs) {
      (res as Logged)[REQUEST_LOG] = { logger, id, start: performance.now(), route: null, refusals };
      res.once('finish', logFinished);
    }
    next();
  };
}
