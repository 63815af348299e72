/**
 * Synthetic Treatment Outcomes Profile records. Use falls and wellbeing rises as treatment
 * goes on (`progress` from 0 at the start to 1 at a successful exit), with noise, so
 * outcome reports show the shape a real service sees.
 */
import type { TopKind, TopRecord } from '../../machines/top-record.ts';
import type { Random } from '../prng.ts';
import type { PersonSeed } from './person.ts';

const clampDays = (n: number): number => Math.max(0, Math.min(28, Math.round(n)));
const clampRating = (n: number): number => Math.max(0, Math.min(20, Math.round(n)));

/** Days of use in the last 28 for a substance the person has a problem with. */
function useDays(random: Random, baseline: number, progress: number): number {
  return clampDays(baseline * (1 - 0.85 * progress) + random.normal(0, 3, -6, 6));
}

/**
 * A TOP for `person` on `recordedOn`.
 * @param progress - 0 at treatment start … 1 at a successful exit; can fall back after relapse
 */
export function drawTop(random: Random, person: PersonSeed, kind: TopKind, recordedOn: string, progress: number): TopRecord {
  const has = (s: string): boolean => (person.substances as readonly string[]).includes(s);
  const injecting = person.injectingStatus === 'currently' ? useDays(random, 18, progress) : 0;
  const offending = person.substanceGroup === 'opiate' || has('crack');
  return {
    kind,
    recordedOn,
    substanceDays: {
      alcohol: has('alcohol') ? useDays(random, 24, progress) : clampDays(random.normal(2, 2, 0, 8)),
      opiates: has('opiates') ? useDays(random, 25, progress) : 0,
      crack: has('crack') ? useDays(random, 12, progress) : 0,
      cocaine: has('cocaine') ? useDays(random, 10, progress) : 0,
      amphetamines: has('amphetamines') ? useDays(random, 14, progress) : 0,
      cannabis: has('cannabis') ? useDays(random, 22, progress) : clampDays(random.chance(0.2) ? random.normal(6, 4, 0, 28) : 0),
      other: has('benzodiazepines') || has('new_psychoactive') || has('other_drug') ? useDays(random, 10, progress) : 0,
      tobacco: random.chance(0.75) ? 28 : 0,
    },
    injectingDays: injecting,
    sharedEquipment: injecting > 0 && random.chance(0.12 * (1 - progress)),
    shopliftingDays: offending ? clampDays(random.chance(0.3 * (1 - progress)) ? random.normal(6, 4, 1, 20) : 0) : 0,
    sellingDrugsDays: offending ? clampDays(random.chance(0.08 * (1 - progress)) ? random.normal(5, 3, 1, 15) : 0) : 0,
    otherTheftDays: offending ? clampDays(random.chance(0.1 * (1 - progress)) ? random.normal(3, 2, 1, 10) : 0) : 0,
    assaultOrViolence: random.chance(0.06 * (1 - progress)),
    psychologicalHealth: clampRating(random.normal(8 + 7 * progress, 3, 0, 20)),
    physicalHealth: clampRating(random.normal(9 + 6 * progress, 3, 0, 20)),
    qualityOfLife: clampRating(random.normal(8 + 8 * progress, 3, 0, 20)),
    paidWorkDays: clampDays(random.chance(0.15 + 0.3 * progress) ? random.normal(14, 6, 1, 28) : 0),
    educationDays: clampDays(random.chance(0.04 + 0.06 * progress) ? random.normal(8, 4, 1, 20) : 0),
    acuteHousingProblem: person.housingNeed === 'nfa_or_urgent' && random.chance(1 - 0.6 * progress),
    atRiskOfEviction: person.housingNeed === 'housing_problem' && random.chance(0.5 * (1 - progress)),
  };
}
