/**
 * Request bodies are JSON, at most 1 MB. A body with another content type answers 415,
 * a larger one 413, unparseable JSON 400 `malformed_json` — all before any route runs,
 * so bad input never reaches a handler.
 */
import express, { type RequestHandler } from 'express';
import { PathwaysError } from '../../src/errors.ts';

/** The largest body accepted. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

const rejectOtherMediaTypes: RequestHandler = (req, _res, next) => {
  if (!hasBody(req)) {
    next();
    return;
  }
  const declared = Number(req.headers['content-length']);
  // Refuse an oversized body from its header alone, before reading it.
  if (Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
    next(new PathwaysError('payload_too_large', 'The body is larger than 1 MB; send a smaller request.'));
    return;
  }
  if (!req.is(['application/json', 'application/*+json'])) {
    next(
      new PathwaysError(
        'unsupported_media_type',
        `Bodies must be JSON: send Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'}).`,
      ),
    );
    return;
  }
  next();
};

/** Middleware chain that checks the media type and parses JSON bodies. */
export function jsonBody(): RequestHandler[] {
  return [
    rejectOtherMediaTypes,
    express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: ['application/json', 'application/*+json'] }),
  ];
}
