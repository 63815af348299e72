/**
 * The small shared states every page shows: loading, empty, and a problem explained in
 * words (the API's `detail`, never a raw dump). Each is announced to screen readers.
 */
import type { ReactNode } from 'react';
import { ApiProblem } from '../lib/api-problem.ts';

/** A polite "loading" line; screen readers hear it once. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

/** An empty list, said plainly, with an optional next step. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A problem from the API: its `detail`, and the field issues when there are any. */
export function ProblemMessage({ problem, onRetry }: { problem: ApiProblem | Error | null; onRetry?: () => void }) {
  if (!problem) return null;
  const detail = problem instanceof ApiProblem ? problem.detail : 'Something went wrong. Try again.';
  const issues = problem instanceof ApiProblem ? problem.issues : [];
  return (
    <div className="problem" role="alert">
      <p>{detail}</p>
      {issues.length > 0 && (
        <ul>
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              {i.path ? <strong>{humanPath(i.path)}: </strong> : null}
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A confirmation that something worked, announced politely. */
export function Notice({ children, tone = 'ok' }: { children: ReactNode; tone?: 'ok' | 'info' | 'warn' }) {
  return (
    <div className={`notice notice-${tone}`} role="status" aria-live="polite">
      {children}
    </div>
  );
}

/** `interventions.0.modality` → `interventions 1 modality`, for people. */
export function humanPath(path: string): string {
  return path
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? String(Number(p) + 1) : p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' › ');
}
