/**
 * Maps every failure to one `application/problem+json` body (RFC 9457):
 * `{type, title, status, detail, code, instance, …details}`. `code` is the stable,
 * machine-readable part of the public API (see src/errors.ts); `detail` tells the caller
 * what to do next.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { PathwaysError, isPathwaysError, type ErrorCode } from '../../src/errors.ts';
import { requestLogOf } from './request-log.ts';
import { sendText } from './send-text.ts';

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  invalid_transition: 'That event is not allowed now',
  version_conflict: 'The record changed since you read it',
  not_found: 'Not found',
  unauthenticated: 'Sign-in required',
  forbidden: 'Not allowed',
  consent_required: 'Consent is required',
  conflict: 'Conflict',
  possible_duplicate: 'This person may already be on record',
  rate_limited: 'Too many requests',
  payload_too_large: 'Request body too large',
  malformed_json: 'Malformed JSON',
  unsupported_media_type: 'Unsupported media type',
  internal_error: 'Internal error',
};

/** The problem document sent for an error, as a plain object. */
export function problemBody(err: PathwaysError, instance?: string): Record<string, unknown> {
  return {
    type: `https://pathways.example/problems/${err.code.replaceAll('_', '-')}`,
    title: TITLES[err.code],
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(instance ? { instance } : {}),
    ...err.details,
  };
}

/** The status, extra headers and JSON text of one problem response. */
export function problemResponse(err: PathwaysError, instance?: string): { status: number; headers: Array<[string, string]>; body: string } {
  const headers: Array<[string, string]> = [];
  if (err.code === 'rate_limited' && typeof err.details.retryAfterSeconds === 'number') headers.push(['Retry-After', String(err.details.retryAfterSeconds)]);
  if (err.code === 'unauthenticated') headers.push(['WWW-Authenticate', 'Bearer realm="pathways"']);
  return { status: err.status, headers, body: JSON.stringify(problemBody(err, instance)) };
}

/** Sends one problem response. */
export function sendProblem(res: Response, err: PathwaysError, instance?: string): void {
  const problem = problemResponse(err, instance);
  sendText(res, problem.status, 'application/problem+json; charset=utf-8', problem.body, problem.headers);
}

/** Turns zod issues into `validation_failed` with dotted field paths (`interventions.0.modality`). */
export function fromZodError(error: z.ZodError, where: 'body' | 'query' | 'params'): PathwaysError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || where,
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new PathwaysError('validation_failed', `Fix the ${where}: ${summary}${more}.`, { issues });
}

interface BodyParserError {
  type?: string | undefined;
  status?: number;
  expose?: boolean;
}

function fromBodyParser(err: BodyParserError): PathwaysError | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return new PathwaysError('malformed_json', 'The body is not valid JSON; send a JSON object with Content-Type: application/json.');
    case 'entity.too.large':
      return new PathwaysError('payload_too_large', 'The body is larger than 1 MB; send a smaller request.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new PathwaysError('unsupported_media_type', 'Send the body as UTF-8 JSON without content encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new PathwaysError('malformed_json', 'The request body could not be read; send it again in full.');
    case undefined:
    default:
      return null;
  }
}

/**
 * Constraint violations that slipped past the checks in a race (two requests creating the
 * same email at once) are the caller's conflict, not a server fault.
 */
function fromDatabase(err: unknown): PathwaysError | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new PathwaysError('conflict', 'That record already exists (someone created it a moment ago); reload and try again.');
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new PathwaysError('validation_failed', 'The request names a record that does not exist; check the ids you sent.', { issues: [] });
  }
  return null;
}

/** Any failure as the problem to answer with; unknown ones become `internal_error` (the caller logs them). */
export function problemOf(err: unknown): PathwaysError {
  if (isPathwaysError(err)) return err;
  if (err instanceof z.ZodError) return fromZodError(err, 'body');
  const parsed = typeof err === 'object' && err !== null ? fromBodyParser(err) : null;
  if (parsed) return parsed;
  const database = fromDatabase(err);
  if (database) return database;
  const status = typeof err === 'object' && err !== null ? (err as BodyParserError).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return new PathwaysError('validation_failed', 'The request could not be read.', { issues: [] });
  return new PathwaysError('internal_error', 'Something went wrong on our side; try again, and report it if it persists.');
}

/** The last middleware: every error becomes a problem response. */
export const problemHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const problem = problemOf(err);
  if (problem.code === 'internal_error') {
    // The stack is for the operator; the caller gets the request id to quote.
    const log = requestLogOf(res);
    if (log) log.logger.error({ requestId: log.id, route: log.route, err }, 'unexpected error');
    else console.error('pathways api: unexpected error', err);
  }
  sendProblem(res, problem, req.originalUrl);
};

/** Unknown routes answer a 404 problem rather than Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, new PathwaysError('not_found', `No route ${req.method} ${req.path}; see /api/v1/openapi.json for the routes.`), req.originalUrl);
};
