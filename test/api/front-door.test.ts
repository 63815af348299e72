/**
 * The one way in: Express serves every declared route (the measures included, with no
 * extra wiring), reads JSON bodies in every form a client may send them and refuses the
 * rest with the documented problems, tags each request with an id it echoes, logs one
 * line per request without personal data, and says how to build the web app when it is
 * missing. Real server, real sockets.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { as, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe('the front door', () => {
  let h: ApiHarness;
  let keyworker: TestUser;
  let manager: TestUser;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    h = await createApiHarness('sqlite');
    const provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    manager = await makeUser(h, provider.id, 'manager');
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

  it('serves the measures from createApp alone', async () => {
    const summary = await as(h, manager).get('/api/v1/metrics/summary');
    expect(summary.status).toBe(200);
    expect((summary.body as { area: string }).area).toBe('Testshire');
    const doc = await request(h.app).get('/api/v1/openapi.json');
    expect(Object.keys((doc.body as { paths: Record<string, unknown> }).paths)).toContain('/api/v1/metrics/summary');
    expect((await as(h, keyworker).get('/api/v1/metrics/summary')).status).toBe(403);
  });

  it('answers routes and problems with exact lengths, JSON types and helmet headers, in any letter case, with or without a trailing slash, and to HEAD', async () => {
    const auth = { Authorization: `Bearer ${keyworker.token}` };
    const me = await raw('GET', '/api/v1/me', auth);
    expect(me.status).toBe(200);
    expect(me.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(me.headers['content-security-policy']).toContain("default-src 'self'");
    expect(me.headers['x-powered-by']).toBeUndefined();
    expect(me.headers.etag).toBeUndefined();
    expect(Number(me.headers['content-length'])).toBe(Buffer.byteLength(me.text));
    expect(JSON.parse((await raw('GET', '/API/V1/ME/', auth)).text)).toEqual(JSON.parse(me.text));
    const denied = await raw('GET', '/api/v1/me', {});
    expect(denied.status).toBe(401);
    expect(denied.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="pathways"');
    expect(JSON.parse(denied.text)).toMatchObject({ code: 'unauthenticated', instance: '/api/v1/me' });
    const head = await raw('HEAD', '/api/v1/openapi.json', {});
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    const page = await raw('GET', '/api/docs', {});
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('reads JSON bodies with a charset, a byte order mark, in chunks, and compressed', async () => {
    // Each a different person: the same name and birth date twice would be a possible duplicate.
    let n = 0;
    const person = () => ({ givenName: 'Sam', familyName: 'Chunked', dateOfBirth: `1990-01-${String((n += 1)).padStart(2, '0')}`, sex: 'male', ethnicity: 'white_british', postcodeDistrict: 'NB1' });
    const auth = { Authorization: `Bearer ${keyworker.token}` };
    const withCharset = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json; charset=UTF-8' }, (req) => req.end(JSON.stringify(person())));
    expect(withCharset.status).toBe(201);
    const bom = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json' }, (req) => req.end(`\uFEFF${JSON.stringify(person())}`));
    expect(bom.status).toBe(201);
    const chunked = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json' }, (req) => {
      const text = JSON.stringify(person());
      req.write(text.slice(0, 10));
      setTimeout(() => req.end(text.slice(10)), 20);
    });
    expect(chunked.status).toBe(201);
    const gzipped = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, (req) => req.end(gzipSync(JSON.stringify(person()))));
    expect(gzipped.status).toBe(201);
    expect((JSON.parse(gzipped.text) as { familyName: string }).familyName).toBe('Chunked');
  });

  it('refuses scalars, blank, oversized, NUL-carrying and cut-off bodies with their codes, and keeps serving', async () => {
    const auth = { Authorization: `Bearer ${keyworker.token}`, 'Content-Type': 'application/json' };
    const people = async () => Number((await h.store.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await people();
    const codeOf = (text: string) => (JSON.parse(text) as { code: string }).code;
    const scalar = await raw('POST', '/api/v1/people', auth, (req) => req.end('"just a string"'));
    expect([scalar.status, codeOf(scalar.text)]).toEqual([400, 'malformed_json']);
    const blank = await raw('POST', '/api/v1/people', auth, (req) => req.end('   '));
    expect([blank.status, codeOf(blank.text)]).toEqual([400, 'malformed_json']);
    const nul = await raw('POST', '/api/v1/people', auth, (req) => req.end(JSON.stringify({ givenName: 'A\u0000B' })));
    expect([nul.status, codeOf(nul.text)]).toEqual([400, 'validation_failed']);
    // No Content-Length: the size is only known while reading.
    const streamed = await raw('POST', '/api/v1/people', { ...auth, 'Transfer-Encoding': 'chunked' }, (req) => {
      for (let i = 0; i < 12; i += 1) req.write('x'.repeat(100_000));
      req.end();
    });
    expect([streamed.status, codeOf(streamed.text)]).toEqual([413, 'payload_too_large']);
    const form = await raw('POST', '/api/v1/people', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, (req) => req.end('givenName=x'));
    expect([form.status, codeOf(form.text)]).toEqual([415, 'unsupported_media_type']);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/people', headers: { ...auth, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"givenName": "cut');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    expect((await as(h, keyworker).get('/api/v1/me')).status).toBe(200);
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
    const bad = await as(h, keyworker).get('/api/v1/cases?limit=zero');
    expect(bad.status).toBe(400);
    expect((bad.body as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('limit');
  });

  it('gives every answer a request id: the caller’s when it is sensible, a fresh one otherwise', async () => {
    const given = await request(h.app).get('/healthz').set('X-Request-Id', 'proxy-7f3a.42');
    expect(given.headers['x-request-id']).toBe('proxy-7f3a.42');
    const fresh = await request(h.app).get('/healthz');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const other = await request(h.app).get('/api/v1/nothing');
    expect(other.status).toBe(404);
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.headers['x-request-id']).not.toBe(fresh.headers['x-request-id']);
    const odd = await request(h.app).get('/healthz').set('X-Request-Id', 'has spaces <and> tags');
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with its id, method, route template, status and duration, and no personal data', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = createApp({ store: h.store, engine: h.engine, now: h.clock.now, webDist: null, logger: pino({ level: 'info' }, sink) });
    const personId = await makePerson(h, keyworker, { familyName: 'Unloggable' });
    const read = await request(app).get(`/api/v1/people/${personId}?note=Unloggable`).set('Authorization', `Bearer ${keyworker.token}`).set('X-Request-Id', 'trace-1');
    expect(read.status).toBe(200);
    const login = await request(app).post('/api/v1/auth/login').send({ email: keyworker.email, password: 'not the password' });
    expect(login.status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    expect(lines.find((l) => l.requestId === 'trace-1')).toMatchObject({ msg: 'request', method: 'GET', route: '/api/v1/people/:id', status: 200, level: 30 });
    expect(lines.find((l) => l.route === '/api/v1/auth/login')).toMatchObject({ method: 'POST', status: 401 });
    expect(typeof lines[0]?.ms).toBe('number');
    expect(text).not.toContain('Unloggable');
    expect(text).not.toContain(personId);
    expect(text).not.toContain(keyworker.email);
    expect(text).not.toContain(keyworker.token);
  });

  it('says how to build the web app at / when it was never built, and keeps the API answering', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pathways-no-web-'));
    const app = createApp({ store: h.store, engine: h.engine, now: h.clock.now, webDist: empty });
    const page = await request(app).get('/').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('npm run build:web');
    expect(page.text).toContain('not built');
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/api/v1/nothing')).status).toBe(404);
  });
});
