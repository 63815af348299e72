/**
 * Request bodies are JSON, at most 1 MB, read by one middleware: a body with another
 * content type answers 415, a larger one 413 (from its Content-Length before a byte is
 * read, or while reading when it has none), unparseable JSON or a top-level scalar 400
 * `malformed_json` — all before any route runs, so bad input never reaches a handler.
 * Reading, inflating and charset decoding are Express's own parser's (body-parser).
 */
import express, { type RequestHandler } from 'express';
import { PathwaysError } from '../../src/errors.ts';

/** The largest body accepted. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];

/** True when the request says it carries a body. */
function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** The JSON body middleware: checks size and media type, then parses. */
export function jsonBody(): RequestHandler {
  // Strict: only an object or an array at the top, as every route takes.
  const parse = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: JSON_TYPES });
  return function readJsonBody(req, res, next) {
    if (!hasBody(req)) {
      next();
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
      next(new PathwaysError('payload_too_large', 'The body is larger than 1 MB; send a smaller request.'));
      return;
    }
    if (!req.is(JSON_TYPES)) {
      next(new PathwaysError('unsupported_media_type', `Bodies must be JSON: send Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'}).`));
      return;
    }
    parse(req, res, next);
  };
}
