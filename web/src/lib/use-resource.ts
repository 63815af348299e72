/**
 * Loads something from the API for a page: loading, error and data states, a `reload`,
 * and a quiet `refresh` that keeps the current data on screen while it fetches (used by
 * live updates, so the page never flashes a spinner when the socket says "changed").
 *
 * Data and errors are kept with the `deps` they were loaded for, and are shown only while
 * the page still asks for those same deps. Moving from one record to another therefore
 * shows "loading" (or the new record's error) at once, never the previous record: a page
 * that kept the last case on screen while the next one loaded, or failed, offered live
 * buttons that acted on the wrong person.
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

/** What one load left, and which deps it answered. */
interface Outcome<T> {
  deps: readonly unknown[];
  data: T | undefined;
  error: ApiProblem | null;
  loading: boolean;
}

function asProblem(err: unknown): ApiProblem {
  return err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Something went wrong.', 'Something went wrong loading this page. Try again.');
}

/** Whether two deps lists name the same thing (React's own rule: `Object.is` item by item). */
export function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * @param load - fetches the data; receives an AbortSignal, aborted when `deps` change or the page closes
 * @param deps - start again whenever these change; what was loaded for other deps is never returned
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [outcome, setOutcome] = useState<Outcome<T>>({ deps, data: undefined, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // The current generation's controller, the deps it loads for, and whether a quiet refresh is waiting.
  const run = useRef<{ controller: AbortController; deps: readonly unknown[]; busy: boolean; again: boolean } | null>(null);

  const start = useCallback((controller: AbortController, quiet: boolean) => {
    const state = run.current;
    if (!state || state.controller !== controller) return;
    const forDeps = state.deps;
    state.busy = true;
    state.again = false;
    if (!quiet) setOutcome((o) => (sameDeps(o.deps, forDeps) ? { ...o, loading: true } : { deps: forDeps, data: undefined, error: null, loading: true }));
    loadRef
      .current(controller.signal)
      .then(
        (value) => {
          if (controller.signal.aborted) return;
          setOutcome({ deps: forDeps, data: value, error: null, loading: false });
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          // A failed refresh of the same record keeps what is on screen beside the problem.
          setOutcome((o) => (sameDeps(o.deps, forDeps) ? { ...o, error: asProblem(err), loading: false } : { deps: forDeps, data: undefined, error: asProblem(err), loading: false }));
        },
      )
      .finally(() => {
        if (controller.signal.aborted) return;
        state.busy = false;
        if (state.again) start(controller, true);
      });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    run.current = { controller, deps, busy: false, again: false };
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
  // Between a change of deps and the effect that loads them, the outcome still belongs to
  // the old deps: answer "loading" for the new ones rather than show the old record.
  if (!sameDeps(outcome.deps, deps)) return { data: undefined, error: null, loading: true, reload, refresh };
  return { data: outcome.data, error: outcome.error, loading: outcome.loading, reload, refresh };
}
