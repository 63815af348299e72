/**
 * Reference codes the statecharts depend on, from the older published national lists
 * (NDTMS). Seeds load these into the codes table; the machines accept only these values.
 * Each list is `{ code, label }` so seeds and the web app share one spelling.
 */

/** Discharge reasons that count as a successful completion (PHOF C19 numerator). */
export const SUCCESSFUL_DISCHARGE_REASONS = ['completed_drug_free', 'completed_occasional_user'] as const;

/** Discharge reasons that close the journey unsuccessfully. */
export const UNSUCCESSFUL_DISCHARGE_REASONS = [
  'dropped_out',
  'treatment_withdrawn',
  'declined_treatment',
  'moved_away',
  'transferred_not_in_custody',
  'transferred_in_custody',
  'died',
  'inappropriate_referral',
  'no_appropriate_treatment',
] as const;

/** A successful discharge reason code. */
export type SuccessfulDischargeReason = (typeof SUCCESSFUL_DISCHARGE_REASONS)[number];
/** An unsuccessful discharge reason code. */
export type UnsuccessfulDischargeReason = (typeof UNSUCCESSFUL_DISCHARGE_REASONS)[number];
/** Any discharge reason code (codes system `discharge_reason`). */
export type DischargeReason = SuccessfulDischargeReason | UnsuccessfulDischargeReason;

/** Every discharge reason code, successful first. */
export const DISCHARGE_REASONS: readonly DischargeReason[] = [...SUCCESSFUL_DISCHARGE_REASONS, ...UNSUCCESSFUL_DISCHARGE_REASONS];

/** Labels for discharge reasons, for seeds and the web app. */
export const DISCHARGE_REASON_LABELS: Record<DischargeReason, string> = {
  completed_drug_free: 'Treatment completed – free of dependence',
  completed_occasional_user: 'Treatment completed – occasional user (not opiates or crack)',
  dropped_out: 'Dropped out / left',
  treatment_withdrawn: 'Treatment withdrawn by the provider',
  declined_treatment: 'Declined treatment',
  moved_away: 'Moved away',
  transferred_not_in_custody: 'Transferred – not in custody',
  transferred_in_custody: 'Transferred – in custody',
  died: 'Died',
  inappropriate_referral: 'Inappropriate referral',
  no_appropriate_treatment: 'No appropriate treatment available',
};

/** Discharge reason used when screening ends in brief advice and no reason is given. */
export const BRIEF_ADVICE_DEFAULT_DISCHARGE_REASON: UnsuccessfulDischargeReason = 'no_appropriate_treatment';

/** True when `value` is a successful discharge reason code. */
export function isSuccessfulDischargeReason(value: unknown): value is SuccessfulDischargeReason {
  return typeof value === 'string' && (SUCCESSFUL_DISCHARGE_REASONS as readonly string[]).includes(value);
}

/** True when `value` is an unsuccessful discharge reason code. */
export function isUnsuccessfulDischargeReason(value: unknown): value is UnsuccessfulDischargeReason {
  return typeof value === 'string' && (UNSUCCESSFUL_DISCHARGE_REASONS as readonly string[]).includes(value);
}

/** Intervention modalities (codes system `intervention_modality`). */
export const INTERVENTION_MODALITIES = [
  'inpatient_detox',
  'specialist_prescribing',
  'gp_prescribing',
  'structured_psychosocial',
  'structured_day_programme',
  'residential_rehabilitation',
  'recovery_support',
  'needle_exchange',
  'outreach',
  'advice_and_information',
  'structured_alcohol',
  // Recovery support beside treatment (seed 004, sections 1.6–1.8): ETE with Jobcentre Plus
  // and employment programmes, housing support, facilitated mutual aid.
  'employment_support',
  'education_support',
  'training_support',
  'volunteering_support',
  'mutual_aid',
  'housing_support',
] as const;
/** An intervention modality code. */
export type InterventionModality = (typeof INTERVENTION_MODALITIES)[number];

/** Labels for intervention modalities. */
export const INTERVENTION_MODALITY_LABELS: Record<InterventionModality, string> = {
  inpatient_detox: 'Inpatient detoxification',
  specialist_prescribing: 'Specialist prescribing',
  gp_prescribing: 'GP prescribing',
  structured_psychosocial: 'Structured psychosocial intervention',
  structured_day_programme: 'Structured day programme',
  residential_rehabilitation: 'Residential rehabilitation',
  recovery_support: 'Aftercare / recovery support',
  needle_exchange: 'Needle exchange',
  outreach: 'Outreach',
  advice_and_information: 'Advice and information',
  structured_alcohol: 'Structured alcohol intervention',
  employment_support: 'Employment support (with Jobcentre Plus and employment programmes; three-way meetings)',
  education_support: 'Education support',
  training_support: 'Training support',
  volunteering_support: 'Volunteering support',
  mutual_aid: 'Facilitated mutual aid',
  housing_support: 'Housing support',
};

/** Employment, education, training and volunteering support: the interventions the ETE measure counts. */
export const ETE_MODALITIES = ['employment_support', 'education_support', 'training_support', 'volunteering_support'] as const satisfies readonly InterventionModality[];

/**
 * Recovery support beside treatment: part of a care package, but its start is not the start
 * of structured treatment (the waiting clock runs on until a treatment intervention starts).
 */
export const SUPPORT_MODALITIES: ReadonlySet<string> = new Set<InterventionModality>([...ETE_MODALITIES, 'mutual_aid', 'housing_support']);

/** True when `value` is a known intervention modality code. */
export function isInterventionModality(value: unknown): value is InterventionModality {
  return typeof value === 'string' && (INTERVENTION_MODALITIES as readonly string[]).includes(value);
}

/** Referral sources into treatment (codes system `referral_source`). */
export const REFERRAL_SOURCES = [
  'self',
  'gp',
  'drug_service_statutory',
  'drug_service_non_statutory',
  'arrest_referral_dip',
  'drr',
  'probation',
  'prison',
  'a_and_e',
  'general_hospital',
  'psychiatry',
  'syringe_exchange',
  'social_services',
  'employment_service',
  'education',
  'relative',
  'concerned_other',
  'sex_worker_project',
  'other',
] as const;
/** A referral source code. */
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];

/** Labels for referral sources. */
export const REFERRAL_SOURCE_LABELS: Record<ReferralSource, string> = {
  self: 'Self',
  gp: 'GP',
  drug_service_statutory: 'Drug service (statutory)',
  drug_service_non_statutory: 'Drug service (non-statutory)',
  arrest_referral_dip: 'Arrest referral / DIP',
  drr: 'Drug Rehabilitation Requirement',
  probation: 'Probation',
  prison: 'Prison',
  a_and_e: 'A&E',
  general_hospital: 'General hospital',
  psychiatry: 'Psychiatry',
  syringe_exchange: 'Syringe exchange',
  social_services: 'Social services',
  employment_service: 'Employment service (Jobcentre Plus)',
  education: 'Education',
  relative: 'Relative',
  concerned_other: 'Concerned other',
  sex_worker_project: 'Sex worker project',
  other: 'Other',
};

/** Injecting status (codes system `injecting_status`). */
export const INJECTING_STATUSES = ['currently', 'previously', 'never', 'declined'] as const;
/** An injecting status code. */
export type InjectingStatus = (typeof INJECTING_STATUSES)[number];

/** Labels for injecting status. */
export const INJECTING_STATUS_LABELS: Record<InjectingStatus, string> = {
  currently: 'Currently injecting',
  previously: 'Previously injected',
  never: 'Never injected',
  declined: 'Declined to say',
};

/** Housing need (codes system `housing_need`). */
export const HOUSING_NEEDS = ['nfa_or_urgent', 'housing_problem', 'none'] as const;
/** A housing need code. */
export type HousingNeed = (typeof HOUSING_NEEDS)[number];

/** Labels for housing need. */
export const HOUSING_NEED_LABELS: Record<HousingNeed, string> = {
  nfa_or_urgent: 'No fixed abode or urgent housing problem',
  housing_problem: 'Housing problem',
  none: 'No housing problem',
};

/**
 * The substance group of a treatment episode, as NDTMS counts it: anyone citing opiates is
 * an opiate client; the others split by whether alcohol is also a problem (codes system
 * `substance_group`). PHOF C19a counts `opiate`; C19b (non-opiates) counts `non_opiate_only`
 * and `non_opiate_and_alcohol`; C19c (alcohol) counts `alcohol_only`.
 */
export const SUBSTANCE_GROUPS = ['opiate', 'non_opiate_only', 'non_opiate_and_alcohol', 'alcohol_only'] as const;
/** A substance group code. */
export type SubstanceGroup = (typeof SUBSTANCE_GROUPS)[number];

/** Labels for substance groups. */
export const SUBSTANCE_GROUP_LABELS: Record<SubstanceGroup, string> = {
  opiate: 'Opiate',
  non_opiate_only: 'Non-opiate only',
  non_opiate_and_alcohol: 'Non-opiate and alcohol',
  alcohol_only: 'Alcohol only',
};

/** Intervention exit statuses: planned, unplanned (by the person) or withdrawn (by the service). */
export const INTERVENTION_EXIT_STATUSES = ['planned', 'unplanned', 'withdrawn'] as const;
/** An intervention exit status. */
export type InterventionExitStatus = (typeof INTERVENTION_EXIT_STATUSES)[number];

/** Code systems as seeds load them: system name → codes with labels. */
export const CODE_SYSTEMS: Record<string, ReadonlyArray<{ code: string; label: string }>> = {
  discharge_reason: DISCHARGE_REASONS.map((code) => ({ code, label: DISCHARGE_REASON_LABELS[code] })),
  intervention_modality: INTERVENTION_MODALITIES.map((code) => ({ code, label: INTERVENTION_MODALITY_LABELS[code] })),
  referral_source: REFERRAL_SOURCES.map((code) => ({ code, label: REFERRAL_SOURCE_LABELS[code] })),
  injecting_status: INJECTING_STATUSES.map((code) => ({ code, label: INJECTING_STATUS_LABELS[code] })),
  housing_need: HOUSING_NEEDS.map((code) => ({ code, label: HOUSING_NEED_LABELS[code] })),
  substance_group: SUBSTANCE_GROUPS.map((code) => ({ code, label: SUBSTANCE_GROUP_LABELS[code] })),
  intervention_exit_status: INTERVENTION_EXIT_STATUSES.map((code) => ({ code, label: code })),
};
