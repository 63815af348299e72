/**
 * Which stages of the drawing have a policy target, and how far their people are past it,
 * as a band with a colour and words (never colour alone). Only stages with a deadline are
 * judged: the 21-day wait for a first intervention (referral to care planning, rapid
 * re-entry, custody while waiting) and the six-monthly review in treatment. Time in
 * treatment itself is the goal, not a wait, so it is never coloured as late.
 */

/** Stages with a policy deadline, and what it is. */
export const STAGE_TARGETS: Record<string, string> = {
  referred: 'first intervention within 21 days of referral',
  screening: 'first intervention within 21 days of referral',
  assessment: 'first intervention within 21 days of referral',
  carePlanning: 'first intervention within 21 days of referral',
  rapidReentry: 'first intervention within 21 days of re-entry',
  inCustody: 'first intervention within 21 days; engaged within 21 days of release',
  inTreatment: 'a review at least every 182 days',
};

export type LateBand = 'untargeted' | 'none' | 'within' | 'some' | 'many';

/** Fill, border and text colours per band; text on fill meets 4.5:1. */
export const BAND_STYLE: Record<LateBand, { fill: string; stroke: string; text: string; label: string }> = {
  untargeted: { fill: '#ffffff', stroke: '#8793a3', text: '#1b2330', label: 'No deadline in this stage' },
  none: { fill: '#f1f3f6', stroke: '#8793a3', text: '#1b2330', label: 'No one here' },
  within: { fill: '#dff3e6', stroke: '#1d6b3a', text: '#123f23', label: 'Everyone within the deadline' },
  some: { fill: '#fff1c9', stroke: '#8a5300', text: '#4d2f00', label: 'Up to 1 in 10 past the deadline' },
  many: { fill: '#f9c9c9', stroke: '#a4262c', text: '#5c1114', label: 'More than 1 in 10 past the deadline' },
};

/**
 * The band of a stage: whether it has a deadline, anyone in it, and what share is past it.
 * @param breaches - people in the stage past its deadline now
 */
export function lateBand(stage: string, count: number, breaches: number): LateBand {
  if (!(stage in STAGE_TARGETS)) return 'untargeted';
  if (count === 0) return 'none';
  if (breaches === 0) return 'within';
  return breaches * 10 <= count ? 'some' : 'many';
}
