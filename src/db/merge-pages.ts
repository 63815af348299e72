/**
 * One page from several queries that each return their rows newest first by `(time, id)`
 * and at most a page and one more: a list whose rows come from two indexes (own and
 * shared journeys, inbox and outbox) reads each in order and merges them here.
 */

/** The newest `limit + 1` rows of `lists`, newest first, ties broken by id (descending). */
export function mergeNewestFirst<R extends { id: string }>(lists: ReadonlyArray<readonly R[]>, time: (row: R) => string, limit: number): R[] {
  const newestFirst = (a: R, b: R): number => {
    const ta = time(a);
    const tb = time(b);
    if (ta !== tb) return ta < tb ? 1 : -1;
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  };
  return lists.flat().sort(newestFirst).slice(0, limit + 1);
}
