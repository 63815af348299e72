/**
 * The assessment findings and the tailored care package a synthetic person gets, shaped by
 * their substance group and needs (NICE CG52/CG115: opioid substitution with psychosocial
 * support for opiate users, structured alcohol interventions, needle exchange for people
 * who inject, recovery support for everyone).
 */
import type { InterventionModality } from '../../machines/codes.ts';
import type { AssessmentDomains, PlannedIntervention } from '../../machines/pathway-types.ts';
import type { Random } from '../prng.ts';
import type { PersonSeed } from './person.ts';

/** Draws the interventions of a first care plan; always at least one. */
export function drawCarePackage(random: Random, person: PersonSeed): PlannedIntervention[] {
  const modalities = new Set<InterventionModality>();
  switch (person.substanceGroup) {
    case 'opiate':
      modalities.add(random.chance(0.88) ? 'specialist_prescribing' : 'gp_prescribing');
      if (random.chance(0.6)) modalities.add('structured_psychosocial');
      if (person.injectingStatus === 'currently' && random.chance(0.55)) modalities.add('needle_exchange');
      if (random.chance(0.03)) modalities.add('inpatient_detox');
      break;
    case 'alcohol_only':
      modalities.add(random.chance(0.7) ? 'structured_alcohol' : 'structured_psychosocial');
      if (random.chance(0.09)) modalities.add('inpatient_detox');
      break;
    case 'non_opiate_only':
    case 'non_opiate_and_alcohol':
      modalities.add(random.chance(0.88) ? 'structured_psychosocial' : 'structured_day_programme');
      if (person.substanceGroup === 'non_opiate_and_alcohol' && random.chance(0.3)) modalities.add('structured_alcohol');
      if (random.chance(0.12)) modalities.add('advice_and_information');
      break;
  }
  if (random.chance(0.02)) modalities.add('residential_rehabilitation');
  if (random.chance(0.25)) modalities.add('recovery_support');
  if (person.housingNeed === 'nfa_or_urgent' && random.chance(0.3)) modalities.add('outreach');
  return [...modalities].map((modality) => ({ id: random.uuid(), modality }));
}

/** Assessment findings across the domains, in the short notes a keyworker writes. */
export function drawAssessment(random: Random, person: PersonSeed): AssessmentDomains {
  const substances = person.substances.join(', ');
  return {
    substanceUse: `Main problem substances: ${substances}.`,
    physicalHealth: random.pick(['No significant concerns.', 'Liver function tests requested.', 'Chest infection, GP aware.', 'Poor dental health.', 'Wound care needed at injection sites.']),
    mentalHealth: random.pick(['Low mood.', 'Anxiety, managed by GP.', 'No concerns reported.', 'Diagnosed depression; CMHT contact considered.', 'Previous self-harm; safety plan agreed.']),
    housingNeed: person.housingNeed,
    injectingStatus: person.injectingStatus,
    ete: random.pick(['Unemployed, claiming benefits.', 'Employed part-time.', 'Unemployed, would like training.', 'Long-term sick.', 'Employed full-time.']),
    offending: random.pick(['None.', 'Historic shoplifting.', 'On licence.', 'Community order.', 'None disclosed.']),
    familyAndChildren: person.parent ? random.pick(['Children at home; safe storage discussed.', 'Children with grandparent; contact weekly.', 'Open to children\'s social care.']) : 'No dependent children.',
    relationships: random.pick(['Supportive partner.', 'Lives alone, isolated.', 'Family contact limited.', 'Relationship ended recently.']),
  };
}
