/**
 * The declared routes served straight from node's http server, in front of Express. Every
 * API call is a declared route with a JSON body or none, and for those Express's layers
 * (its router walking every route's pattern, body-parser, `res.json`) cost about as much
 * main-thread time as the transition itself. Here a request is matched by a table lookup
 * on its path segments, its body read and parsed once, and its answer written with one
 * `writeHead` carrying the precomputed security headers.
 *
 * Anything out of the ordinary goes to Express untouched, which answers it as before:
 * paths matching no route exactly (another letter case, a trailing slash, an unknown path),
 * HEAD and OPTIONS, bodies that are not UTF-8 JSON or come compressed. The route itself
 * runs the same either way (`run-route.ts`), and so do the problem answers (`problem.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { PathwaysError } from '../../src/errors.ts';
import type { AppContext } from '../context.ts';
import { BODY_LIMIT_BYTES } from '../http/json-body.ts';
import { mustNotStore, NO_STORE } from '../http/cache-control.ts';
import { problemOf, problemResponse } from '../http/problem.ts';
import type { AnyRoute } from './route.ts';
import { encodeResult, runRoute } from './run-route.ts';

type HeaderList = ReadonlyArray<string | number | readonly string[]>;

/** One route's path as literal segments and `:name` parameters. */
interface CompiledRoute {
  route: AnyRoute;
  /** Per segment: the literal text, or null for a parameter. */
  segments: Array<string | null>;
  /** Parameter names in order. */
  names: string[];
}

/** Routes by method and number of path segments: the candidates a path is tried against. */
type RouteTable = Map<string, Map<number, CompiledRoute[]>>;

function compile(routes: readonly AnyRoute[]): RouteTable {
  const table: RouteTable = new Map();
  for (const route of routes) {
    const parts = route.path.split('/').slice(1);
    // Only plain `/literal/:param` paths; anything fancier is left to Express.
    if (parts.some((p) => p === '' || /[()*?+{}]/.test(p) || (p.startsWith(':') && !/^:\w+$/.test(p)))) continue;
    const compiled: CompiledRoute = {
      route,
      segments: parts.map((p) => (p.startsWith(':') ? null : p)),
      names: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)),
    };
    const method = route.method.toUpperCase();
    let bySize = table.get(method);
    if (!bySize) table.set(method, (bySize = new Map<number, CompiledRoute[]>()));
    let list = bySize.get(parts.length);
    if (!list) bySize.set(parts.length, (list = []));
    // In declaration order: like Express, the first route that matches serves the request.
    list.push(compiled);
  }
  return table;
}

/** The route and its decoded parameters for `path`, or null when none matches exactly. */
function match(table: RouteTable, method: string, path: string): { route: AnyRoute; params: Record<string, string> } | null {
  const parts = path.split('/');
  // A path starts with '/', so parts[0] is ''; the rest are the segments.
  const candidates = table.get(method)?.get(parts.length - 1);
  if (!candidates) return null;
  next: for (const c of candidates) {
    const params: Record<string, string> = {};
    let named = 0;
    for (let i = 0; i < c.segments.length; i += 1) {
      const literal = c.segments[i];
      const part = parts[i + 1]!;
      if (literal !== null) {
        if (literal !== part) continue next;
        continue;
      }
      if (part === '') continue next;
      let value = part;
      if (part.includes('%')) {
        try {
          value = decodeURIComponent(part);
        } catch {
          // Express answers an undecodable parameter itself.
          return null;
        }
      }
      params[c.names[named]!] = value;
      named += 1;
    }
    return { route: c.route, params };
  }
  return null;
}

/** True when the request says it carries a body. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** True for `application/json` or `application/*+json`, with no charset or UTF-8, uncompressed. */
function plainJson(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const [media, ...params] = type.split(';');
  const m = media!.trim().toLowerCase();
  if (m !== 'application/json' && !(m.startsWith('application/') && m.endsWith('+json') && !m.includes(' '))) return false;
  for (const p of params) {
    const [name, value] = p.split('=');
    if (name?.trim().toLowerCase() !== 'charset') return false;
    if (value?.trim().replaceAll('"', '').toLowerCase() !== 'utf-8') return false;
  }
  return true;
}

const NOT_JSON = (): PathwaysError => new PathwaysError('malformed_json', 'The body is not valid JSON; send a JSON object with Content-Type: application/json.');
const TOO_LARGE = (): PathwaysError => new PathwaysError('payload_too_large', 'The body is larger than 1 MB; send a smaller request.');

/** Reads and parses a JSON body of at most 1 MB: an object or an array, as Express's parser is set to take. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Settled once: the listeners go, so the request holds nothing of this read afterwards.
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', cut);
      req.off('close', cut);
      return true;
    };
    const fail = (err: PathwaysError): void => {
      if (settle()) reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) fail(TOO_LARGE());
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (!settle()) return;
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8').replace(/^\uFEFF/, '');
      if (text.length === 0) {
        resolve({});
        return;
      }
      // Strict, as Express's parser is configured: only an object or an array at the top.
      const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(text)?.[1];
      if (first !== '{' && first !== '[') {
        reject(NOT_JSON());
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(NOT_JSON());
      }
    };
    function cut(): void {
      if (!settled) fail(new PathwaysError('malformed_json', 'The request body could not be read; send it again in full.'));
    }
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', cut);
    // A client that goes away mid-body: 'close' without 'end'.
    req.once('close', cut);
  });
}

/** A request handler serving `routes` itself and handing everything else to `fallback`. */
export function createRouteDispatch(
  ctx: AppContext,
  routes: readonly AnyRoute[],
  securityHeaders: HeaderList,
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const table = compile(routes);

  const send = (res: ServerResponse, status: number, contentType: string, payload: string | undefined, extra: ReadonlyArray<readonly [string, string]>): void => {
    const headers: Array<string | number | readonly string[]> = [...securityHeaders];
    for (const [name, value] of extra) headers.push(name, value);
    headers.push('Content-Type', contentType, 'Content-Length', payload === undefined ? 0 : Buffer.byteLength(payload));
    res.writeHead(status, headers as string[]);
    res.end(payload);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    if (res.headersSent) {
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    const problem = problemResponse(problemOf(err), req.url);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    send(res, problem.status, 'application/problem+json; charset=utf-8', problem.body, mustNotStore(path) ? [...problem.headers, NO_STORE] : problem.headers);
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const found = match(table, req.method ?? '', path);
    const withBody = found !== null && hasBody(req);
    if (!found || (withBody && !plainJson(req))) {
      fallback(req, res);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (withBody && Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
      fail(req, res, TOO_LARGE());
      return;
    }
    const input = async (): Promise<void> => {
      const body = withBody ? await readJson(req) : undefined;
      const result = await runRoute(ctx, found.route, {
        params: found.params,
        query: q < 0 ? {} : parseQuery(url.slice(q + 1)),
        body,
        authorization: req.headers.authorization,
        ip: req.socket.remoteAddress ?? 'unknown',
      });
      const { contentType, payload } = encodeResult(result);
      const extra = Object.entries(result.headers ?? {});
      send(res, result.status, contentType, payload, mustNotStore(path) ? [...extra, NO_STORE] : extra);
    };
    input().catch((err: unknown) => fail(req, res, err));
  };
}
