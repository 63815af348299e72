/**
 * The lean dispatcher in front of Express (api/routing/route-dispatch.ts) must answer
 * exactly as Express does: the same statuses, bodies and headers for the requests it
 * serves, and everything unusual (another letter case, a trailing slash, HEAD, a compressed
 * or non-UTF-8 body) handed to Express untouched. Real server, real sockets.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderList } from '../../api/http/security-headers.ts';
import { apiRoutes } from '../../api/routes/index.ts';
import { createRouteDispatch } from '../../api/routing/route-dispatch.ts';
import { as, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

/** Headers that may differ between two answers to the same request. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'content-length']);
const stableHeaders = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !VOLATILE.has(k)).sort(([a], [b]) => a.localeCompare(b)));

describe('route dispatch in front of Express', () => {
  let h: ApiHarness;
  let keyworker: TestUser;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    h = await createApiHarness('sqlite');
    const provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    server = createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  /** One raw request; resolves with status, headers and body text. */
  function raw(method: string, path: string, headers: Record<string, string>, write?: (req: ReturnType<typeof httpRequest>) => void): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      if (write) write(req);
      else req.end();
    });
  }

  it('answers a route with the same status, body and headers as Express does', async () => {
    const auth = { Authorization: `Bearer ${keyworker.token}` };
    // `/API/V1/ME` matches no route exactly (Express matches paths in any letter case), so Express serves it.
    const lean = await raw('GET', '/api/v1/me', auth);
    const viaExpress = await raw('GET', '/API/V1/ME', auth);
    expect(lean.status).toBe(200);
    expect(viaExpress.status).toBe(200);
    expect(JSON.parse(lean.text)).toEqual(JSON.parse(viaExpress.text));
    expect(stableHeaders(lean.headers)).toEqual(stableHeaders(viaExpress.headers));
    expect(lean.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(lean.headers['content-security-policy']).toContain("default-src 'self'");
    expect(Number(lean.headers['content-length'])).toBe(Buffer.byteLength(lean.text));
  });

  it('answers problems the same way too', async () => {
    const lean = await raw('GET', '/api/v1/me', {});
    const viaExpress = await raw('GET', '/api/v1/me/', {});
    expect(lean.status).toBe(401);
    expect(viaExpress.status).toBe(401);
    const { instance: a, ...leanBody } = JSON.parse(lean.text) as Record<string, unknown>;
    const { instance: b, ...expressBody } = JSON.parse(viaExpress.text) as Record<string, unknown>;
    expect(leanBody).toEqual(expressBody);
    expect([a, b]).toEqual(['/api/v1/me', '/api/v1/me/']);
    expect(stableHeaders(lean.headers)).toEqual(stableHeaders(viaExpress.headers));
    expect(lean.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(lean.headers['www-authenticate']).toBe('Bearer realm="pathways"');
  });

  it('serves the HTML docs page and HEAD requests', async () => {
    const page = await raw('GET', '/api/docs', {});
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<html');
    const head = await raw('HEAD', '/api/v1/openapi.json', {});
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('reads JSON bodies with a charset, a byte order mark, in chunks, and compressed ones through Express', async () => {
    const body = { givenName: 'Sam', familyName: 'Chunked', dateOfBirth: '1990-01-01', sex: 'male', ethnicity: 'white_british', postcodeDistrict: 'NB1', confirmNew: true }; // the same person four times: past the duplicate check
    const auth = { Authorization: `Bearer ${keyworker.token}` };
    const withCharset = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json; charset=UTF-8' }, (req) => req.end(JSON.stringify(body)));
    expect(withCharset.status).toBe(201);
    const bom = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json' }, (req) => req.end(`\uFEFF${JSON.stringify(body)}`));
    expect(bom.status).toBe(201);
    const chunked = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json' }, (req) => {
      const text = JSON.stringify(body);
      req.write(text.slice(0, 10));
      setTimeout(() => req.end(text.slice(10)), 20);
    });
    expect(chunked.status).toBe(201);
    const gzipped = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, (req) => req.end(gzipSync(JSON.stringify(body))));
    expect(gzipped.status).toBe(201);
    expect((JSON.parse(gzipped.text) as { familyName: string }).familyName).toBe('Chunked');
  });

  it('refuses bodies that are not JSON objects or arrays, too large, or cut off, and keeps serving', async () => {
    const auth = { Authorization: `Bearer ${keyworker.token}`, 'Content-Type': 'application/json' };
    const people = async () => Number((await h.store.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await people();
    const scalar = await raw('POST', '/api/v1/people', auth, (req) => req.end('"just a string"'));
    expect(scalar.status).toBe(400);
    expect((JSON.parse(scalar.text) as { code: string }).code).toBe('malformed_json');
    const blank = await raw('POST', '/api/v1/people', auth, (req) => req.end('   '));
    expect(blank.status).toBe(400);
    // No Content-Length: the size is only known while reading.
    const streamed = await raw('POST', '/api/v1/people', { ...auth, 'Transfer-Encoding': 'chunked' }, (req) => {
      for (let i = 0; i < 12; i += 1) req.write(`${'x'.repeat(100_000)}`);
      req.end();
    });
    expect(streamed.status).toBe(413);
    expect((JSON.parse(streamed.text) as { code: string }).code).toBe('payload_too_large');
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/people', headers: { ...auth, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"givenName": "cut');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    const after = await as(h, keyworker).get('/api/v1/me');
    expect(after.status).toBe(200);
    expect(await people()).toBe(before);
  });

  it('passes query strings and decoded path parameters to the route', async () => {
    const personId = await makePerson(h, keyworker);
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    expect(opened.status).toBe(201);
    const id = (opened.body as { id: string }).id;
    const encoded = await raw('GET', `/api/v1/cases/${encodeURIComponent(id).replace(/-/g, '%2D')}`, { Authorization: `Bearer ${keyworker.token}` });
    expect(encoded.status).toBe(200);
    expect((JSON.parse(encoded.text) as { id: string }).id).toBe(id);
    const page = await request(h.app).get('/api/v1/cases?limit=1&stage=referred').set('Authorization', `Bearer ${keyworker.token}`);
    expect(page.status).toBe(200);
    expect((page.body as { items: unknown[] }).items).toHaveLength(1);
    const bad = await request(h.app).get('/api/v1/cases?limit=zero').set('Authorization', `Bearer ${keyworker.token}`);
    expect(bad.status).toBe(400);
    expect((bad.body as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('limit');
  });

  it('serves ordinary requests itself and hands only the unusual ones to Express', async () => {
    const handed: string[] = [];
    const dispatch = createRouteDispatch(h.app.locals.ctx, apiRoutes([]), securityHeaderList({}), (req, res) => {
      handed.push(`${req.method} ${req.url}`);
      h.app.express(req, res);
    });
    const auth = `Bearer ${keyworker.token}`;
    expect((await request(dispatch).get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    expect((await request(dispatch).get('/api/v1/cases?limit=2').set('Authorization', auth)).status).toBe(200);
    expect((await request(dispatch).post('/api/v1/people').set('Authorization', auth).send({ givenName: '' })).status).toBe(400);
    expect((await request(dispatch).post('/api/v1/people').set('Authorization', auth).set('Content-Type', 'application/json').send('{')).status).toBe(400);
    expect(handed).toEqual([]);
    expect((await request(dispatch).get('/api/v1/me/').set('Authorization', auth)).status).toBe(200);
    expect((await request(dispatch).head('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    expect((await request(dispatch).post('/api/v1/people').set('Authorization', auth).type('form').send({ givenName: 'x' })).status).toBe(415);
    expect((await request(dispatch).get('/api/v1/nothing')).status).toBe(404);
    expect(handed).toEqual(['GET /api/v1/me/', 'HEAD /api/v1/me', 'POST /api/v1/people', 'GET /api/v1/nothing']);
  });
});
