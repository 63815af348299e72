/**
 * The precomputed security headers are exactly helmet's: same names, same values, and the
 * headers helmet removes stay removed — on success and on error answers alike.
 */
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../api/http/security-headers.ts';

const OPTIONS = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };
const VARYING = new Set(['date', 'content-length', 'etag', 'connection', 'keep-alive']);

function appWith(middleware: RequestHandler) {
  const app = express();
  app.use(middleware);
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/fails', (_req, res) => {
    res.status(500).type('text/plain').send('no');
  });
  return app;
}

async function headersOf(middleware: RequestHandler, path: string): Promise<Record<string, unknown>> {
  const res = await request(appWith(middleware)).get(path);
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
}

describe('security headers', () => {
  it.each(['/ok', '/fails'])('match what helmet sets on %s', async (path) => {
    const expected = await headersOf(helmet(OPTIONS), path);
    const actual = await headersOf(securityHeaders(OPTIONS), path);
    expect(expected['content-security-policy']).toContain("default-src 'self'");
    expect(expected['strict-transport-security']).toBeDefined();
    expect(actual).toEqual(expected);
  });

  it('drop x-powered-by as helmet does', async () => {
    const res = await request(appWith(securityHeaders(OPTIONS))).get('/ok');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
