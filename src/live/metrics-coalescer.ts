/**
 * Coalesces "measures changed" notices per area: however many events commit, each area's
 * managers hear at most one `metrics.changed` per interval (default 250 ms, so at most
 * four a second), naming the measures to refetch and the newest `seq` they include.
 */
export class MetricsCoalescer {
  private readonly pending = new Map<string, { seq: number; measures: Set<string> }>();
  private timer: NodeJS.Timeout | undefined;
  /** When the last message went out (ms, monotonic). */
  private lastEmit = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (area: string, payload: { area: string; seq: number; measures: string[] }) => void,
  ) {}

  /** Notes that `measures` of `area` changed up to `seq`. */
  note(area: string, seq: number, measures: readonly string[]): void {
    const entry = this.pending.get(area) ?? { seq, measures: new Set<string>() };
    entry.seq = Math.max(entry.seq, seq);
    for (const m of measures) entry.measures.add(m);
    this.pending.set(area, entry);
    if (this.timer) return;
    // Leading edge: a change after a quiet spell goes out at once (a manager sees it without
    // waiting out the window); changes within the window after it wait for its end, so an
    // area still gets at most one message per interval.
    const wait = this.lastEmit + this.intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Emits everything pending now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size > 0) this.lastEmit = performance.now();
    for (const [area, entry] of this.pending) this.emit(area, { area, seq: entry.seq, measures: [...entry.measures].sort() });
    this.pending.clear();
  }

  /** Stops without emitting. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}

/** Which measures routes a change of each stream type can move. */
export const MEASURES_MOVED_BY: Readonly<Record<'case' | 'referral', readonly string[]>> = {
  case: ['summary', 'wip', 'time-in-stage', 'flow', 'deadlines', 'outcomes'],
  referral: ['summary', 'deadlines', 'referrals-waiting'],
};
