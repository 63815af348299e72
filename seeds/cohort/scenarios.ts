/**
 * What each synthetic journey is meant to show on the reference date: the stage it is in
 * (or the reason it closed with) and the overlays on its way there (custody and release,
 * a relapse after a successful completion). The first journeys of every cohort tour all
 * of them, so even a small cohort covers every stage, every discharge reason and both
 * continuity-of-care outcomes; the rest are drawn in realistic proportions.
 */
import { DISCHARGE_REASONS, type DischargeReason } from '../../machines/codes.ts';
import type { SubstanceGroup } from '../code-lists.ts';
import type { Random } from '../prng.ts';

/** Open stages a journey can be seen in on the reference date. */
export const OPEN_TARGETS = [
  'referred',
  'screening',
  'assessment',
  'carePlanning',
  'inTreatment.active',
  'inTreatment.reviewDue',
  'recoveryCheckups',
  'rapidReentry',
  'inCustody',
] as const;
export type OpenTarget = (typeof OPEN_TARGETS)[number];

/** The stage (or closing reason) a journey is in on the reference date. */
export type Target = { kind: 'open'; stage: OpenTarget } | { kind: 'closed'; reason: DischargeReason };

/** How a custody episode, if any, overlays the journey. */
export type CustodyOverlay = 'none' | 'fromPrison' | 'duringTreatment';

/** After release: engaged with community treatment within 21 days, later, or not at all. */
export type Engagement = 'within' | 'late' | 'never';

export interface Scenario {
  target: Target;
  custody: CustodyOverlay;
  engagement: Engagement;
  /** A successful completion followed by relapse and rapid re-entry happens first. */
  representation: boolean;
  /** Waiting-time breach: the first intervention starts after day 21. */
  slowStart: boolean;
}

const OPEN_WEIGHTS: Record<OpenTarget, number> = {
  referred: 1.2,
  screening: 1.2,
  assessment: 2,
  carePlanning: 2.5,
  'inTreatment.active': 30,
  'inTreatment.reviewDue': 4.5,
  recoveryCheckups: 6,
  rapidReentry: 0.6,
  inCustody: 1.8,
};

const CLOSED_WEIGHTS: Record<DischargeReason, number> = {
  completed_drug_free: 11,
  completed_occasional_user: 4,
  dropped_out: 16,
  treatment_withdrawn: 2,
  declined_treatment: 3,
  moved_away: 2.5,
  transferred_not_in_custody: 3.5,
  transferred_in_custody: 2.5,
  died: 1.6,
  inappropriate_referral: 1.6,
  no_appropriate_treatment: 1.4,
};

const SUCCESSFUL: ReadonlySet<string> = new Set(['completed_drug_free', 'completed_occasional_user']);

/** Opiate clients stay in treatment longer and complete less often; alcohol clients the reverse (NDTMS). */
const SUCCESS_FACTOR: Record<SubstanceGroup, number> = { opiate: 0.35, alcohol_only: 1.5, non_opiate_only: 1.3, non_opiate_and_alcohol: 1.2 };
const IN_TREATMENT_FACTOR: Record<SubstanceGroup, number> = { opiate: 1.6, alcohol_only: 0.7, non_opiate_only: 0.8, non_opiate_and_alcohol: 0.8 };

/** Target keys for weighted draws: `open:<stage>` or `closed:<reason>`. */
type TargetKey = `open:${OpenTarget}` | `closed:${DischargeReason}`;

function weightsFor(group: SubstanceGroup): Record<TargetKey, number> {
  const weights = {} as Record<TargetKey, number>;
  for (const stage of OPEN_TARGETS) {
    const inTreatment = stage.startsWith('inTreatment');
    const afterSuccess = stage === 'recoveryCheckups' || stage === 'rapidReentry';
    weights[`open:${stage}`] = OPEN_WEIGHTS[stage] * (inTreatment ? IN_TREATMENT_FACTOR[group] : afterSuccess ? SUCCESS_FACTOR[group] : 1);
  }
  for (const reason of DISCHARGE_REASONS) {
    // "Occasional user" is not a successful completion for opiates or crack.
    if (reason === 'completed_occasional_user' && group === 'opiate') continue;
    weights[`closed:${reason}`] = CLOSED_WEIGHTS[reason] * (SUCCESSFUL.has(reason) ? SUCCESS_FACTOR[group] : 1);
  }
  return weights;
}

const WEIGHTS_BY_GROUP = new Map<SubstanceGroup, Record<TargetKey, number>>();

function parseKey(key: TargetKey): Target {
  const [kind, value] = key.split(':') as ['open' | 'closed', string];
  return kind === 'open' ? { kind, stage: value as OpenTarget } : { kind, reason: value as DischargeReason };
}

/** The tour that opens every cohort: each stage, each reason, each overlay at least once. */
export const COVERAGE_TOUR: readonly Omit<Scenario, 'slowStart'>[] = [
  ...OPEN_TARGETS.map((stage) => ({ target: { kind: 'open' as const, stage }, custody: 'none' as const, engagement: 'within' as const, representation: false })),
  ...DISCHARGE_REASONS.map((reason) => ({
    target: { kind: 'closed' as const, reason },
    custody: reason === 'transferred_in_custody' ? ('duringTreatment' as const) : ('none' as const),
    engagement: 'within' as const,
    representation: false,
  })),
  { target: { kind: 'open', stage: 'inTreatment.active' }, custody: 'duringTreatment', engagement: 'within', representation: false },
  { target: { kind: 'open', stage: 'inTreatment.active' }, custody: 'duringTreatment', engagement: 'never', representation: false },
  { target: { kind: 'open', stage: 'inTreatment.active' }, custody: 'fromPrison', engagement: 'late', representation: false },
  { target: { kind: 'open', stage: 'inTreatment.active' }, custody: 'none', engagement: 'within', representation: true },
  { target: { kind: 'closed', reason: 'dropped_out' }, custody: 'none', engagement: 'within', representation: true },
  { target: { kind: 'open', stage: 'inCustody' }, custody: 'fromPrison', engagement: 'within', representation: false },
];

/**
 * The scenario of the `index`-th journey of the cohort: the tour first, then draws.
 * @param fromPrison - the person was referred by a prison (release into the community)
 * @param criminalJustice - referred through probation, a court order or police custody
 */
export function drawScenario(random: Random, index: number, group: SubstanceGroup, fromPrison: boolean, criminalJustice: boolean): Scenario {
  const slowStart = random.chance(0.07);
  const toured = COVERAGE_TOUR[index];
  if (toured) {
    // The tour's closing reasons must suit the person: no "occasional user" for opiates.
    const reason = toured.target.kind === 'closed' && toured.target.reason === 'completed_occasional_user' && group === 'opiate' ? 'completed_drug_free' : null;
    return { ...toured, target: reason ? { kind: 'closed', reason } : toured.target, slowStart };
  }
  let weights = WEIGHTS_BY_GROUP.get(group);
  if (!weights) {
    weights = weightsFor(group);
    WEIGHTS_BY_GROUP.set(group, weights);
  }
  const target = parseKey(random.weighted(weights));
  let custody: CustodyOverlay = 'none';
  if (target.kind === 'closed' && target.reason === 'transferred_in_custody') custody = 'duringTreatment';
  else if (fromPrison && random.chance(0.75)) custody = 'fromPrison';
  else if (target.kind === 'open' && target.stage === 'inCustody') custody = 'duringTreatment';
  else if (random.chance(criminalJustice ? 0.12 : 0.015)) custody = 'duringTreatment';
  // Continuity of care after release: historically ~30% engaged within 21 days, the
  // ambition is 75%; a service improving towards it sits in between.
  const engagement = random.weighted<Engagement>({ within: 52, late: 20, never: 28 });
  const representation = target.kind === 'open' ? target.stage !== 'recoveryCheckups' && random.chance(0.06) : !SUCCESSFUL.has(target.reason) && random.chance(0.05);
  return { target, custody, engagement, representation, slowStart };
}
