/**
 * A failed API call, read from the server's `application/problem+json` body (RFC 9457).
 * The app shows `detail` (written for people) and never the raw body.
 */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The error every API call throws when the server answers with a problem. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, title: string, detail: string, details: Record<string, unknown> = {}) {
    super(detail || title);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.details = details;
  }

  /** Field issues of a `validation_failed` problem, if any. */
  get issues(): FieldIssue[] {
    const raw = this.details.issues;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((issue: unknown) => {
      if (typeof issue !== 'object' || issue === null) return [];
      const { path, message } = issue as { path?: unknown; message?: unknown };
      const p = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      return typeof message === 'string' ? [{ path: p, message }] : [];
    });
  }
}

/** Reads a problem from any response body shape the server may send, defensively. */
export function problemFromBody(status: number, body: unknown): ApiProblem {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const code = str(b.code) || (status === 401 ? 'unauthenticated' : status >= 500 ? 'internal_error' : 'error');
  const title = str(b.title) || defaultTitle(status);
  const detail = str(b.detail) || str(b.message) || title;
  // Problem extensions may sit in `details` or at the top level; accept both.
  const details =
    typeof b.details === 'object' && b.details !== null ? (b.details as Record<string, unknown>) : { ...b };
  return new ApiProblem(status, code, title, detail, details);
}

function defaultTitle(status: number): string {
  if (status === 0) return 'Pathways could not be reached. Check your connection and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'This record was not found, or you do not have access to it.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status >= 500) return 'Something went wrong in Pathways. Try again; if it keeps happening, tell your administrator.';
  return 'The request could not be completed.';
}
