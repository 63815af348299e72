/**
 * Knows when code runs inside one of the engine's units of work, so that a call which would
 * wait for that very unit — `store.db` (on SQLite its one connection is the unit's), or an
 * engine method (it queues behind the unit, or waits for its lock on PostgreSQL) — fails at
 * once with a message naming what to use instead, rather than hanging for ever.
 *
 * How, cheaply: the engine runs the code it hands control to inside a unit (a
 * transaction's callback, the in-transaction and before-commit hooks) through `runInside`,
 * an async function with a name of its own that awaits that code. V8's async stack traces
 * keep that frame in the stack of everything the code awaits down the line, so a guarded
 * call looks for it there. The stack is read only while some unit's code is pending (a
 * counter), about 6–10 µs a look; otherwise a guarded call costs one comparison.
 * Under load some unit is nearly always pending, so callers that know they are outside
 * every unit — a request's sign-in and route handler, the live tail's read on a
 * notification — say so (`outside`) and skip the look.
 * AsyncLocalStorage would know the same for certain, but its promise hooks cost every
 * promise in the process (about 3% of a transition); code that leaves the await chain
 * (a callback, a timer it does not await) is not recognised and waits as before.
 */
import { PathwaysError } from '../errors.ts';

/** The marker frame's name; `runInside` awaits user code through a function of this name. */
const MARK = 'pathwaysInsideEngineUnit';

async function pathwaysInsideEngineUnit<T>(fn: () => Promise<T>): Promise<T> {
  // `return await` keeps this frame in the async stack of everything `fn` awaits.
  return await fn();
}

/** True when the current (async) stack passes through `pathwaysInsideEngineUnit`. */
function insideMarkedCode(): boolean {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved and put back as it was, never called here
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let found = false;
  try {
    Error.prepareStackTrace = (_error, sites) => {
      found = sites.some((site) => site.getFunctionName() === MARK);
      return '';
    };
    Error.stackTraceLimit = Infinity;
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder);
    void holder.stack; // V8 prepares the stack when it is first read
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  return found;
}

/** One per store: the engine marks its units' user code, the store's `db` and the engine's methods ask. */
export class UnitGuard {
  private pending = 0;
  /** Above zero while code its caller knows to be outside every unit runs (`outside`). */
  private knownOutside = 0;

  /** Runs `fn` (code the engine hands control to inside a unit) so that guarded calls from it are recognised. */
  async runInside<T>(fn: () => Promise<T>): Promise<T> {
    this.pending += 1;
    try {
      return await pathwaysInsideEngineUnit(fn);
    } finally {
      this.pending -= 1;
    }
  }

  /**
   * Runs `fn`, which its caller knows runs outside every unit (a request's sign-in, started
   * by the HTTP server), so that the guarded calls `fn` makes before its first `await` — a
   * query through `store.db` asks for its connection then — skip the look at the stack.
   * What `fn` does after an `await` is looked at as usual. The look costs tens of
   * microseconds on a busy server, while some unit is nearly always pending; the sign-in's
   * token read made it about 1% of a transition's CPU.
   */
  outside<T>(fn: () => T): T {
    this.knownOutside += 1;
    try {
      return fn();
    } finally {
      this.knownOutside -= 1;
    }
  }

  /**
   * The error for `what` called from inside a unit, or null when the caller is outside every unit.
   * @param what - the call (`store.db`, `engine.apply`)
   * @param instead - what to use inside a unit instead
   */
  refusal(what: string, instead: string): PathwaysError | null {
    if (this.pending === 0 || this.knownOutside > 0 || !insideMarkedCode()) return null;
    return new PathwaysError(
      'internal_error',
      `${what} was called inside engine.transaction (or an engine hook): it would wait for the very transaction it runs in, for ever. ` +
        `Inside a transaction use ${instead}.`,
      { reentry: what, use: instead },
    );
  }
}
