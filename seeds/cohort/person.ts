/**
 * Draws one synthetic person: monitoring fields (sex, date of birth, ethnicity, postcode
 * district) and the needs that shape their journey (substance group, injecting, housing,
 * children). Proportions follow the national picture in DOMAIN.md (42% opiates, 30%
 * alcohol only; most clients men in their 30s–40s; opiate clients older and more often
 * injecting or homeless).
 */
import type { HousingNeed, InjectingStatus } from '../../machines/codes.ts';
import type { Ethnicity, Sex, Substance, SubstanceGroup } from '../code-lists.ts';
import type { Random } from '../prng.ts';
import { drawName } from './names.ts';

const DAY_MS = 86_400_000;

/** One person of the cohort, before any journey. */
export interface PersonSeed {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: Sex;
  ethnicity: Ethnicity;
  postcodeDistrict: string;
  substanceGroup: SubstanceGroup;
  substances: Substance[];
  injectingStatus: InjectingStatus;
  housingNeed: HousingNeed;
  /** Lives with or cares for children (safeguarding, safe storage). */
  parent: boolean;
  /** Asked for a female keyworker. */
  prefersFemaleKeyworker: boolean;
  /** Needs an interpreter (does not read English). */
  interpreter: boolean;
}

const SUBSTANCE_GROUP_WEIGHTS: Record<SubstanceGroup, number> = {
  opiate: 42,
  alcohol_only: 30,
  non_opiate_only: 16,
  non_opiate_and_alcohol: 12,
};

const FEMALE_SHARE: Record<SubstanceGroup, number> = {
  opiate: 0.27,
  alcohol_only: 0.4,
  non_opiate_only: 0.24,
  non_opiate_and_alcohol: 0.28,
};

/** Age at referral: mean, spread, youngest, oldest. */
const AGE: Record<SubstanceGroup, [number, number, number, number]> = {
  opiate: [43, 8, 19, 78],
  alcohol_only: [47, 11, 18, 88],
  non_opiate_only: [30, 8, 18, 68],
  non_opiate_and_alcohol: [34, 9, 18, 72],
};

const ETHNICITY_WEIGHTS: Partial<Record<Ethnicity, number>> = {
  white_british: 820,
  white_irish: 12,
  white_gypsy_traveller: 6,
  white_roma: 2,
  white_other: 42,
  mixed_white_black_caribbean: 12,
  mixed_white_black_african: 4,
  mixed_white_asian: 5,
  mixed_other: 5,
  asian_indian: 6,
  asian_pakistani: 10,
  asian_bangladeshi: 4,
  asian_chinese: 1,
  asian_other: 4,
  black_african: 8,
  black_caribbean: 10,
  black_other: 3,
  other_arab: 2,
  other_any: 6,
  not_stated: 37,
};

/** Northbridge's (fictional) postcode districts, weighted towards the deprived centre. */
const POSTCODE_WEIGHTS: Record<string, number> = {
  NB1: 16, NB2: 14, NB3: 12, NB4: 11, NB5: 9, NB6: 8, NB7: 7, NB8: 6, NB9: 5, NB10: 5, NB11: 4, NB12: 3,
};

const OTHER_DRUGS: readonly Substance[] = ['cocaine', 'cannabis', 'amphetamines', 'benzodiazepines', 'new_psychoactive', 'other_drug'];

function drawSubstances(random: Random, group: SubstanceGroup): Substance[] {
  switch (group) {
    case 'opiate': {
      const out: Substance[] = ['opiates'];
      if (random.chance(0.55)) out.push('crack');
      if (random.chance(0.2)) out.push('alcohol');
      if (random.chance(0.15)) out.push('benzodiazepines');
      return out;
    }
    case 'alcohol_only':
      return ['alcohol'];
    case 'non_opiate_only':
      return random.chance(0.25) ? ['crack'] : [random.weighted({ cannabis: 45, cocaine: 35, amphetamines: 10, new_psychoactive: 5, benzodiazepines: 5 })];
    case 'non_opiate_and_alcohol':
      return [random.chance(0.7) ? 'cocaine' : random.pick(OTHER_DRUGS), 'alcohol'];
  }
}

/**
 * Draws a person. `referredAtMs` is their first referral, which fixes their age.
 * @param id - the person's id (drawn by the caller so ids repeat with the seed)
 */
export function drawPerson(random: Random, id: string, referredAtMs: number): PersonSeed {
  const substanceGroup = random.weighted(SUBSTANCE_GROUP_WEIGHTS);
  const sexRoll = random.next();
  const sex: Sex = sexRoll < 0.002 ? 'indeterminate' : sexRoll < 0.005 ? 'not_known' : sexRoll < 0.005 + FEMALE_SHARE[substanceGroup] ? 'female' : 'male';
  const [mean, sd, min, max] = AGE[substanceGroup];
  const ageDays = Math.floor(random.normal(mean, sd, min, max) * 365.25 + random.int(0, 364));
  const dateOfBirth = new Date(referredAtMs - ageDays * DAY_MS).toISOString().slice(0, 10);
  const ethnicity = random.weighted(ETHNICITY_WEIGHTS as Record<Ethnicity, number>);
  const name = drawName(random, sex, ethnicity);
  const opiate = substanceGroup === 'opiate';
  const injectingStatus = random.weighted<InjectingStatus>(
    opiate ? { currently: 26, previously: 34, never: 35, declined: 5 } : { currently: 2, previously: 6, never: 88, declined: 4 },
  );
  const housingNeed = random.weighted<HousingNeed>(
    opiate ? { nfa_or_urgent: 14, housing_problem: 16, none: 70 } : substanceGroup === 'alcohol_only' ? { nfa_or_urgent: 5, housing_problem: 9, none: 86 } : { nfa_or_urgent: 7, housing_problem: 11, none: 82 },
  );
  return {
    id,
    givenName: name.given,
    familyName: name.family,
    dateOfBirth,
    sex,
    ethnicity,
    postcodeDistrict: random.weighted(POSTCODE_WEIGHTS),
    substanceGroup,
    substances: drawSubstances(random, substanceGroup),
    injectingStatus,
    housingNeed,
    parent: random.chance(sex === 'female' ? 0.4 : 0.22),
    prefersFemaleKeyworker: sex === 'female' && random.chance(0.35),
    interpreter: ethnicity !== 'white_british' && ethnicity !== 'not_stated' && random.chance(0.08),
  };
}

/** The `people.details` JSON: monitoring and needs fields beyond the columns. */
export function personDetails(person: PersonSeed): Record<string, unknown> {
  return {
    initials: `${person.givenName[0] ?? ''}${person.familyName[0] ?? ''}`,
    substanceGroup: person.substanceGroup,
    primarySubstance: person.substances[0],
    substances: person.substances,
    injectingStatus: person.injectingStatus,
    housingNeed: person.housingNeed,
    parent: person.parent,
    prefersFemaleKeyworker: person.prefersFemaleKeyworker,
    interpreterNeeded: person.interpreter,
    synthetic: true,
  };
}
