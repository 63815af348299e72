/**
 * Turns a change of facts into counter deltas. A journey contributes to "state" counters
 * (it is in a stage, it has waited since a day, …) for as long as it is in that state; an
 * event adds to "event" counters (a flow, a start, a completion) once. The delta of one
 * change is: events + state after − state before, each expanded over every breakdown
 * dimension, merged per counter key so a journey that stays put writes nothing. Every
 * metric has a day and goes to its 32-day block row (day-blocks.ts).
 */
import { WAITING_STAGES, type CaseFacts, type EventCount } from './case-facts.ts';
import { BLOCKED_METRICS, FLOW_WEEKS, UNDIVIDED_METRICS, blockOf, weekBlockOf } from './day-blocks.ts';
import { dimensionPairs, type Dimension, type DimensionValues } from '../../machines/measure-dimensions.ts';
import { REFERRAL_WAITING_STATES, pendingDeadlines, type ReferralFacts } from './referral-facts.ts';

const UNDIVIDED: ReadonlyArray<[Dimension, string]> = [['all', 'all']];

/**
 * One day's delta of a metric kept in day blocks (metric_day_blocks): the block row's key,
 * the day's place in the block (0–31) and the amount, which goes to that day's column and
 * to the block's total. Several days of one block are several deltas.
 */
export interface BlockDelta {
  metric: string;
  agency_id: string;
  k: string;
  block: number;
  dim: string;
  value: string;
  offset: number;
  n: number;
}

/** Counter deltas keyed by their full key, merged as they are added. */
export class DeltaSet {
  readonly blocks = new Map<string, BlockDelta>();

  /** Adds `sign` to each counter in `counts` for every dimension of the record. */
  add(agencyId: string, dims: DimensionValues, counts: readonly EventCount[], sign: number): void {
    if (counts.length === 0) return;
    const pairs = dimensionPairs(dims);
    for (const c of counts) {
      if (c.metric === 'flow') {
        // Undivided per day; broken down per week, in week blocks (day-blocks.ts).
        const block = blockOf(c.day);
        this.bump('flow', agencyId, c.k, block, 'all', 'all', c.day - block, sign);
        const week = weekBlockOf(c.day);
        for (const [dim, value] of pairs) if (dim !== 'all') this.bump(FLOW_WEEKS, agencyId, c.k, week.block, dim, value, week.offset, sign);
        continue;
      }
      // A new metric must be given its day blocks: there is no other table to count it in.
      if (!BLOCKED_METRICS.has(c.metric)) throw new Error(`Metrics: "${c.metric}" has no day blocks; add it to BLOCKED_METRICS in src/metrics/day-blocks.ts.`);
      const block = blockOf(c.day);
      const offset = c.day - block;
      for (const [dim, value] of UNDIVIDED_METRICS.has(c.metric) ? UNDIVIDED : pairs) this.bump(c.metric, agencyId, c.k, block, dim, value, offset, sign);
    }
  }

  /** Adds `sign` to one day (or week) of one block row. */
  private bump(metric: string, agencyId: string, k: string, block: number, dim: string, value: string, offset: number, sign: number): void {
    const key = `${metric}\u0000${agencyId}\u0000${k}\u0000${block}\u0000${dim}\u0000${value}\u0000${offset}`;
    const existing = this.blocks.get(key);
    if (existing) existing.n += sign;
    else this.blocks.set(key, { metric, agency_id: agencyId, k, block, dim, value, offset, n: sign });
  }

  /**
   * Takes another set's deltas into this one (the deltas of the changes in one commit): the
   * keys are already built, so this is a map merge, and a counter this set does not hold
   * yet is taken over rather than copied — `other` must not be used afterwards.
   */
  absorb(other: DeltaSet): void {
    for (const [key, d] of other.blocks) {
      const existing = this.blocks.get(key);
      if (existing) existing.n += d.n;
      else this.blocks.set(key, d);
    }
  }

  /** True when no delta is left to write. */
  isEmpty(): boolean {
    for (const d of this.blocks.values()) if (d.n !== 0) return false;
    return true;
  }

  /**
   * Adds a record's move from the state counters `before` (under `beforeAgency`) to `after`
   * (under `afterAgency`). Counters it holds on both sides under the same agency cancel
   * before they are spread over the dimensions, so a change that moves one stage writes
   * that stage's rows only (most of a journey's state stays put from one event to the next).
   */
  addMove(beforeAgency: string | null, before: readonly EventCount[], afterAgency: string, after: readonly EventCount[], dims: DimensionValues): void {
    let gone = before;
    let come = after;
    if (beforeAgency === afterAgency && before.length > 0 && after.length > 0) {
      // Pairs cancel one for one (a counter held twice cancels twice).
      const left = [...after];
      const dropped: EventCount[] = [];
      for (const b of before) {
        const i = left.findIndex((a) => a.metric === b.metric && a.k === b.k && a.day === b.day);
        if (i >= 0) left.splice(i, 1);
        else dropped.push(b);
      }
      gone = dropped;
      come = left;
    }
    if (beforeAgency !== null) this.add(beforeAgency, dims, gone, -1);
    this.add(afterAgency, dims, come, 1);
  }

  /** Forgets every delta (after a bulk writer has stored them). */
  clear(): void {
    this.blocks.clear();
  }

  /**
   * The non-zero block deltas in primary-key order (metric, agency, k, block, dim, value),
   * then by day, so a bulk writer appends to the index instead of inserting all over it.
   */
  blocksInKeyOrder(): BlockDelta[] {
    const out: BlockDelta[] = [];
    for (const d of this.blocks.values()) if (d.n !== 0) out.push(d);
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return out.sort(
      (a, b) => cmp(a.metric, b.metric) || cmp(a.agency_id, b.agency_id) || cmp(a.k, b.k) || a.block - b.block || cmp(a.dim, b.dim) || cmp(a.value, b.value) || a.offset - b.offset,
    );
  }

  /** The non-zero block deltas, sorted by key so concurrent writers touch rows in one order. */
  nonZeroBlocks(): BlockDelta[] {
    return [...this.blocks.entries()]
      .filter(([, d]) => d.n !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, d]) => d);
  }
}

/** The state counters a journey is in (see definitions.ts for what each one means). */
export function caseStateCounts(f: CaseFacts | null): EventCount[] {
  if (!f) return [];
  const out: EventCount[] = [];
  const open = f.stage !== 'closed';
  if (open) {
    // One per open journey, on the day it entered its stage: its total is the work in progress.
    out.push({ metric: 'stage_age', k: f.stage, day: f.stageDay });
    if (f.startedDay === null && WAITING_STAGES.has(f.stage)) out.push({ metric: 'waiting', k: '', day: f.clockDay });
    if (f.releaseDay !== null && f.engagedDay === null) out.push({ metric: 'continuity_open', k: '', day: f.releaseDay });
  }
  if (f.stage === 'inTreatment' && f.reviewBasisDay !== null) out.push({ metric: 'review_basis', k: '', day: f.reviewBasisDay });
  if (f.firstStartDay !== null) {
    out.push({ metric: 'tx_start', k: '', day: f.firstStartDay });
    if (f.endDay !== null) out.push({ metric: 'tx_end', k: '', day: f.endDay });
  }
  return out;
}

/**
 * The state counters a referral is in: waiting on its receiver (on the day it was sent),
 * and each deadline still running (on the day it falls due).
 */
export function referralStateCounts(f: ReferralFacts | null): EventCount[] {
  if (!f) return [];
  const out: EventCount[] = REFERRAL_WAITING_STATES.has(f.state) ? [{ metric: 'ref_waiting', k: f.state, day: f.createdDay }] : [];
  for (const d of pendingDeadlines(f)) out.push({ metric: 'ref_due', k: d.deadline, day: d.dueDay });
  return out;
}
