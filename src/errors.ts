/**
 * The one error type of Pathways. Every failure a caller can act on carries a stable,
 * machine-readable `code` (part of the public API), an HTTP status for the API edge,
 * a message that says what to do next, and structured `details`.
 *
 * The API maps it once to `application/problem+json` (RFC 9457).
 */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_transition'
  | 'version_conflict'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'consent_required'
  | 'conflict'
  | 'possible_duplicate'
  | 'rate_limited'
  | 'payload_too_large'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'internal_error';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  version_conflict: 409,
  conflict: 409,
  possible_duplicate: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  consent_required: 422,
  rate_limited: 429,
  internal_error: 500,
};

/** One problem with one field of the input, named by its path (`interventions.0.modality`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class PathwaysError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'PathwaysError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

/** Input that breaks a rule; `issues` name each field and the rule it broke. */
export function validationError(message: string, issues: FieldIssue[]): PathwaysError {
  return new PathwaysError('validation_failed', message, { issues });
}

export function notFound(what: string): PathwaysError {
  return new PathwaysError('not_found', `${what} was not found`);
}

export function isPathwaysError(err: unknown): err is PathwaysError {
  return err instanceof PathwaysError;
}
