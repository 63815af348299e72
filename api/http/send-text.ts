/**
 * Writes one finished answer: status, headers, a body that is already text. Routes and
 * problems answer this way rather than through `res.send`, whose content negotiation,
 * ETag and freshness checks have nothing to do for an API answer that is never cached.
 */
import type { Response } from 'express';

/** Sends `payload` (or an empty body) with `status`, `contentType` and `headers`. */
export function sendText(res: Response, status: number, contentType: string, payload: string | undefined, headers?: Iterable<readonly [string, string]>): void {
  res.statusCode = status;
  if (headers) for (const [name, value] of headers) res.setHeader(name, value);
  res.setHeader('Content-Type', contentType);
  // HEAD requests: node's response drops the body itself and keeps the length.
  res.setHeader('Content-Length', payload === undefined ? 0 : Buffer.byteLength(payload));
  res.end(payload);
}
