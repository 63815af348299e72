/**
 * The one way the web app talks to the API: JSON over fetch with the bearer token,
 * problems turned into `ApiProblem`. A 401 signs the user out (the token expired or was
 * revoked) through the handler the session registers.
 */
import { ApiProblem, problemFromBody } from './api-problem.ts';

export const API_BASE = '/api/v1';

let currentToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** Sets the bearer token used by every call (null when signed out). */
export function setApiToken(token: string | null): void {
  currentToken = token;
}

/** Registers what to do when the server says the session is no longer valid. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

/** Builds `/api/v1/path?query` leaving out empty query values. */
export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Calls the API and resolves to the parsed JSON body.
 * @throws ApiProblem for any non-2xx answer or a network failure
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (currentToken) headers.Authorization = `Bearer ${currentToken}`;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw problemFromBody(0, null);
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const problem = problemFromBody(response.status, body);
    if (response.status === 401 && currentToken && onUnauthenticated) onUnauthenticated();
    throw problem;
  }
  return body as T;
}

/** Reads a list from either a bare array or a `{items|data|…}` page envelope. */
export function listOf<T>(body: unknown, ...keys: string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    for (const key of [...keys, 'items', 'data', 'results']) {
      if (Array.isArray(b[key])) return b[key] as T[];
    }
  }
  return [];
}

/** The cursor of the next page in a page envelope, if any. */
export function nextCursorOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const c = b.nextCursor ?? b.next_cursor ?? b.cursor;
  return typeof c === 'string' && c ? c : null;
}

export { ApiProblem };

/**
 * Downloads what the API answers at `path` (a CSV export) as a file named `filename`,
 * with the bearer token: a plain link could not carry it.
 * @throws ApiProblem when the API refuses
 */
export async function apiDownload(path: string, query: RequestOptions['query'], filename: string): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/csv, application/problem+json' };
  if (currentToken) headers.Authorization = `Bearer ${currentToken}`;
  const response = await fetch(apiUrl(path, query), { headers });
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    throw problemFromBody(response.status, body);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
