/**
 * Loads something from the API for a page: loading, error and data states, a `reload`,
 * and a quiet `refresh` that keeps the current data on screen while it fetches (used by
 * live updates, so the page never flashes a spinner when the socket says "changed").
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from './api-problem.ts';

export interface Resource<T> {
  data: T | undefined;
  error: ApiProblem | null;
  loading: boolean;
  reload: () => void;
  refresh: () => void;
}

/**
 * @param load - fetches the data; receives an AbortSignal so stale loads are dropped
 * @param deps - reload whenever these change
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState({ n: 0, quiet: false });
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    if (!tick.quiet) setLoading(true);
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Something went wrong.', 'Something went wrong loading this page. Try again.'));
        setLoading(false);
      });
    return () => controller.abort();
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => ({ n: t.n + 1, quiet: false })), []);
  const refresh = useCallback(() => setTick((t) => ({ n: t.n + 1, quiet: true })), []);
  return { data, error, loading, reload, refresh };
}
