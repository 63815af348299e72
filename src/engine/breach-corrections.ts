/**
 * Late facts correct the record with an event (issue 11, item 2). When a fact recorded late
 * — a first intervention, or an engagement after release, dated within the standard —
 * withdraws a breach that already fired, the pathway statechart clears the flag and lists
 * the withdrawal in `withdrawnBreaches`; the engine then appends `BREACH_WITHDRAWN {clock,
 * breachedAt, reason, byEventSeq}` to the journey's stream in the same unit, so the log says
 * so too: the breach event stays, and the correcting event names it and the fact.
 */
import type { WithdrawnBreach } from '../../machines/pathway-types.ts';
import type { StoredSnapshot } from './snapshot-codec.ts';

/** The breach event each withdrawable clock logged when it fired. */
export const BREACH_EVENT_OF: Record<WithdrawnBreach['deadline'], string> = {
  waiting_time: 'WAITING_TIME_BREACHED',
  continuity_of_care: 'CONTINUITY_OF_CARE_BREACHED',
};

/** Withdrawals a transition made that no correcting event has logged yet. */
export function unloggedWithdrawals(before: StoredSnapshot | string, after: StoredSnapshot): WithdrawnBreach[] {
  const was = listOf(typeof before === 'string' ? (JSON.parse(before) as StoredSnapshot) : before);
  const now = listOf(after);
  return now.slice(was.length).filter((w) => w.byEventSeq === undefined);
}

function listOf(snapshot: StoredSnapshot): WithdrawnBreach[] {
  const list = snapshot.context.withdrawnBreaches;
  return Array.isArray(list) ? (list as WithdrawnBreach[]) : [];
}
