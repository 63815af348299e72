/**
 * Loads something from the API for a page: loading, error and data states, a `reload`,
 * and a quiet `refresh` that keeps the current data on screen while it fetches (used by
 * live updates, so the page never flashes a spinner when the socket says "changed").
 *
 * A refresh never cancels a load in flight: under a steady stream of live changes that
 * would starve the page (every answer aborted by the next change). Instead, refreshes
 * asked for during a load are folded into one more load once it finishes.
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

function asProblem(err: unknown): ApiProblem {
  return err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Something went wrong.', 'Something went wrong loading this page. Try again.');
}

/**
 * @param load - fetches the data; receives an AbortSignal, aborted when `deps` change or the page closes
 * @param deps - start again whenever these change
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // The current generation's controller and whether a quiet refresh is waiting.
  const run = useRef<{ controller: AbortController; busy: boolean; again: boolean } | null>(null);

  const start = useCallback((controller: AbortController, quiet: boolean) => {
    const state = run.current;
    if (!state || state.controller !== controller) return;
    state.busy = true;
    state.again = false;
    if (!quiet) setLoading(true);
    loadRef
      .current(controller.signal)
      .then(
        (value) => {
          if (controller.signal.aborted) return;
          setData(value);
          setError(null);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setError(asProblem(err));
        },
      )
      .finally(() => {
        if (controller.signal.aborted) return;
        setLoading(false);
        state.busy = false;
        if (state.again) start(controller, true);
      });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    run.current = { controller, busy: false, again: false };
    start(controller, false);
    return () => controller.abort();
    // The caller's deps, plus `generation` for reload().
  }, [...deps, generation, start]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const refresh = useCallback(() => {
    const state = run.current;
    if (!state) return;
    if (state.busy) state.again = true;
    else start(state.controller, true);
  }, [start]);
  return { data, error, loading, reload, refresh };
}
