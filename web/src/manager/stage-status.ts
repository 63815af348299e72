/**
 * How far a stage's wait is past its target, as a band with a colour and words (never
 * colour alone). Targets are days a person should spend in a stage; the waiting-time
 * target (21 days from referral to treatment) and the review interval (182 days) come
 * from national guidance, the others are local design choices the API may override.
 */

/** Default days-in-stage targets, used when the measures do not carry their own. */
export const DEFAULT_STAGE_TARGET_DAYS: Record<string, number> = {
  referred: 5,
  screening: 7,
  assessment: 14,
  carePlanning: 21,
  inTreatment: 182,
  recoveryCheckups: 182,
  rapidReentry: 7,
  inCustody: 90,
};

export type LateBand = 'none' | 'within' | 'near' | 'past' | 'far';

/** Fill, border and text colours per band; text on fill meets 4.5:1. */
export const BAND_STYLE: Record<LateBand, { fill: string; stroke: string; text: string; label: string }> = {
  none: { fill: '#f1f3f6', stroke: '#8793a3', text: '#1b2330', label: 'No one waiting' },
  within: { fill: '#dff3e6', stroke: '#1d6b3a', text: '#123f23', label: 'Within target' },
  near: { fill: '#fff1c9', stroke: '#8a5300', text: '#4d2f00', label: 'Up to 25% past target' },
  past: { fill: '#ffd9b8', stroke: '#a34700', text: '#4d2200', label: '25–100% past target' },
  far: { fill: '#f9c9c9', stroke: '#a4262c', text: '#5c1114', label: 'More than twice the target' },
};

/**
 * The band for a wait against a target.
 * @param waitDays - the wait to judge (the 90th percentile, so the slowest tenth shows)
 */
export function lateBand(count: number, waitDays: number | null, targetDays: number | null): LateBand {
  if (count === 0 || waitDays === null) return 'none';
  if (!targetDays) return 'within';
  const ratio = waitDays / targetDays;
  if (ratio <= 1) return 'within';
  if (ratio <= 1.25) return 'near';
  if (ratio <= 2) return 'past';
  return 'far';
}
