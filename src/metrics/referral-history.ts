/**
 * Where each referral stood on any past day (`metric_referral_history`, migration 090): one
 * row per spell of the states the referral measures count — waiting on its receiver in a
 * state (`ref_waiting`, `k` the state, `day` the day it was sent) and each deadline still
 * running (`ref_due_acknowledge`, `ref_due_first_contact`, `k` the deadline, `day` the day it falls due) — with the day the spell
 * began and the day it ended (null while it lasts), as for journeys (case-history.ts, whose
 * one rule `advanceHistory` both follow). Each row carries the receiving agency, the
 * sending time (the lists' order) and the referral's breakdown values, so the referrals
 * waiting on an agency at the end of a past day are one walk of an index, oldest first.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { advanceHistory, movedMetrics, type Spell } from './case-history.ts';
import type { CaseClockRow } from './case-clocks.ts';
import { referralStateCounts } from './counter-deltas.ts';
import type { ReferralFacts } from './referral-facts.ts';

/** One spell of a referral's counted state, as stored. */
export interface ReferralHistoryRow extends DimensionValues {
  referral_id: string;
  metric: string;
  k: string;
  agency_id: string;
  day: number;
  /** When the referral was sent (ISO-8601): the lists' order. */
  since_at: string;
  from_day: number;
  to_day: number | null;
}

/** The history's metric of a running deadline: one per deadline, as both may run at once and spells of one metric never overlap. */
export function deadlineMetric(deadline: string): string {
  return `ref_due_${deadline}`;
}

/** The referral's counted states as rows the history follows (`case_id` is the referral's id). */
export function referralStateRows(referralId: string, facts: ReferralFacts | null): CaseClockRow[] {
  if (!facts) return [];
  return referralStateCounts(facts).map((c) => ({ case_id: referralId, metric: c.metric === 'ref_due' ? deadlineMetric(c.k) : c.metric, k: c.k, agency_id: facts.toAgencyId, day: c.day }));
}

/** A spell as a stored row of its referral. */
export function referralHistoryRow(referralId: string, facts: Pick<ReferralFacts, 'dims' | 'createdAt'>, s: Spell): ReferralHistoryRow {
  return {
    referral_id: referralId,
    metric: s.metric,
    k: s.k,
    agency_id: s.agency_id,
    day: s.day,
    since_at: facts.createdAt,
    from_day: s.from_day,
    to_day: s.to_day,
    sex: facts.dims.sex,
    age_band: facts.dims.age_band,
    ethnicity: facts.dims.ethnicity,
    postcode_district: facts.dims.postcode_district,
    referral_source: facts.dims.referral_source,
    substance: facts.dims.substance,
  };
}

const spellKey = (s: Pick<Spell, 'metric' | 'from_day'>): string => `${s.metric}\u0000${s.from_day}`;

/**
 * Keeps one referral's history in step with a change (in the change's transaction): reads
 * its spells only when a counted state moved, and writes only the spells that differ.
 */
export async function syncReferralHistory(
  trx: Kysely<Database>,
  referralId: string,
  facts: Pick<ReferralFacts, 'dims' | 'createdAt'>,
  change: { before: readonly CaseClockRow[]; after: readonly CaseClockRow[]; day: number },
): Promise<void> {
  if (movedMetrics(change.before, change.after).size === 0) return;
  const db = trx.withTables<{ metric_referral_history: ReferralHistoryRow }>();
  const stored = await db.selectFrom('metric_referral_history').select(['metric', 'k', 'agency_id', 'day', 'from_day', 'to_day']).where('referral_id', '=', referralId).execute();
  const spells = stored.map((s) => ({ ...s, day: Number(s.day), from_day: Number(s.from_day), to_day: s.to_day === null ? null : Number(s.to_day) }));
  const next = advanceHistory(spells, change.before, change.after, change.day);
  const was = new Map(spells.map((s) => [spellKey(s), s]));
  const now = new Map(next.map((s) => [spellKey(s), s]));
  for (const [key, s] of was) {
    const kept = now.get(key);
    const row = db.updateTable('metric_referral_history').where('referral_id', '=', referralId).where('metric', '=', s.metric).where('from_day', '=', s.from_day);
    if (!kept) await db.deleteFrom('metric_referral_history').where('referral_id', '=', referralId).where('metric', '=', s.metric).where('from_day', '=', s.from_day).execute();
    else if (kept.to_day !== s.to_day || kept.k !== s.k || kept.agency_id !== s.agency_id || kept.day !== s.day) {
      await row.set({ k: kept.k, agency_id: kept.agency_id, day: kept.day, to_day: kept.to_day }).execute();
    }
  }
  const added = [...now].filter(([key]) => !was.has(key)).map(([, s]) => referralHistoryRow(referralId, facts, s));
  if (added.length > 0) await db.insertInto('metric_referral_history').values(added).execute();
}

/** Writes many rows at once (a rebuild), under the stores' bound-parameter limits (14 columns × 300 rows). */
export async function insertReferralHistory(trx: Kysely<Database>, rows: readonly ReferralHistoryRow[]): Promise<void> {
  const db = trx.withTables<{ metric_referral_history: ReferralHistoryRow }>();
  for (let i = 0; i < rows.length; i += 300) await db.insertInto('metric_referral_history').values(rows.slice(i, i + 300)).execute();
}

/** Empties the table before a rebuild. */
export async function clearReferralHistory(trx: Kysely<Database>): Promise<void> {
  await trx.withTables<{ metric_referral_history: ReferralHistoryRow }>().deleteFrom('metric_referral_history').execute();
}
