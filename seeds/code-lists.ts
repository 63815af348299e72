/**
 * Reference code lists owned by the seeds: agency kinds and the monitoring categories
 * (sex, ethnicity, substance). Lists other parts own are only labelled here: the
 * statecharts' codes come from `machines/codes.ts`, referral kinds from
 * `machines/referral-kinds.ts`, consent data categories from `src/consent/`.
 *
 * Every list stays editable in the `codes` table; these are only the starting values.
 */
import { REFERRAL_KINDS, type ReferralKind } from '../machines/referral-kinds.ts';
import { DATA_CATEGORIES, type DataCategory } from '../machines/data-categories.ts';

/** One code of one system, as loaded into the `codes` table. */
export interface CodeEntry {
  code: string;
  label: string;
}

/** Kinds of agency in a local recovery system (`agencies.kind`). */
export const AGENCY_KINDS = [
  { code: 'treatment_provider', label: 'Drug and alcohol treatment provider' },
  { code: 'jobcentre_plus', label: 'Jobcentre Plus' },
  { code: 'probation', label: 'Probation service' },
  { code: 'prison', label: 'Prison' },
  { code: 'police_custody', label: 'Police custody suite' },
  { code: 'court', label: "Magistrates' court" },
  { code: 'housing', label: 'Housing options' },
  { code: 'hospital', label: 'Hospital' },
  { code: 'mental_health', label: 'Community mental health team' },
  { code: 'children_services', label: 'Children and family services' },
  { code: 'gp', label: 'GP practice' },
  { code: 'mutual_aid', label: 'Mutual aid group' },
] as const satisfies readonly CodeEntry[];

export type AgencyKind = (typeof AGENCY_KINDS)[number]['code'];

/**
 * Labels of the referral kinds. The kinds themselves (and their deadlines) belong to the
 * referral statechart (`machines/referral-kinds.ts`); typing this record by them keeps the
 * two lists from drifting apart.
 */
export const REFERRAL_KIND_LABELS: Record<ReferralKind, string> = {
  treatment: 'Into drug and alcohol treatment (incl. Jobcentre Plus TPR1, probation, prison release, police custody)',
  employment_support: 'Employment support (incl. attendance report to Jobcentre Plus, TPR2)',
  housing: 'Housing needs assessment',
  mental_health: 'Mental health (dual diagnosis)',
  mutual_aid: 'Introduction to a mutual aid group',
  residential_rehabilitation: 'Residential rehabilitation',
  inpatient_detox: 'Inpatient detoxification',
  safeguarding: 'Safeguarding (children and adults at risk)',
};

/** The referral kinds as a code list, in the statechart's order. */
export const REFERRAL_KIND_CODES: readonly CodeEntry[] = REFERRAL_KINDS.map((code) => ({ code, label: REFERRAL_KIND_LABELS[code] }));

/** ONS 2021 census ethnic groups (England and Wales), plus "not stated". */
export const ETHNICITIES = [
  { code: 'white_british', label: 'White: English, Welsh, Scottish, Northern Irish or British' },
  { code: 'white_irish', label: 'White: Irish' },
  { code: 'white_gypsy_traveller', label: 'White: Gypsy or Irish Traveller' },
  { code: 'white_roma', label: 'White: Roma' },
  { code: 'white_other', label: 'White: Other White' },
  { code: 'mixed_white_black_caribbean', label: 'Mixed or Multiple: White and Black Caribbean' },
  { code: 'mixed_white_black_african', label: 'Mixed or Multiple: White and Black African' },
  { code: 'mixed_white_asian', label: 'Mixed or Multiple: White and Asian' },
  { code: 'mixed_other', label: 'Mixed or Multiple: Other Mixed or Multiple' },
  { code: 'asian_indian', label: 'Asian or Asian British: Indian' },
  { code: 'asian_pakistani', label: 'Asian or Asian British: Pakistani' },
  { code: 'asian_bangladeshi', label: 'Asian or Asian British: Bangladeshi' },
  { code: 'asian_chinese', label: 'Asian or Asian British: Chinese' },
  { code: 'asian_other', label: 'Asian or Asian British: Other Asian' },
  { code: 'black_african', label: 'Black, Black British, Caribbean or African: African' },
  { code: 'black_caribbean', label: 'Black, Black British, Caribbean or African: Caribbean' },
  { code: 'black_other', label: 'Black, Black British, Caribbean or African: Other Black' },
  { code: 'other_arab', label: 'Other ethnic group: Arab' },
  { code: 'other_any', label: 'Other ethnic group: Any other ethnic group' },
  { code: 'not_stated', label: 'Not stated' },
] as const satisfies readonly CodeEntry[];

export type Ethnicity = (typeof ETHNICITIES)[number]['code'];

/** Sex as recorded for national monitoring (NHS Data Dictionary person stated gender). */
export const SEXES = [
  { code: 'female', label: 'Female' },
  { code: 'male', label: 'Male' },
  { code: 'indeterminate', label: 'Indeterminate' },
  { code: 'not_known', label: 'Not known' },
] as const satisfies readonly CodeEntry[];

export type Sex = (typeof SEXES)[number]['code'];

/**
 * The substance group a journey is counted under in national statistics: anyone citing
 * opiates is an opiate client; the others split by whether alcohol is also a problem.
 */
export const SUBSTANCE_GROUPS = [
  { code: 'opiate', label: 'Opiate' },
  { code: 'non_opiate_only', label: 'Non-opiate only' },
  { code: 'non_opiate_and_alcohol', label: 'Non-opiate and alcohol' },
  { code: 'alcohol_only', label: 'Alcohol only' },
] as const satisfies readonly CodeEntry[];

export type SubstanceGroup = (typeof SUBSTANCE_GROUPS)[number]['code'];

/** Problem substances as recorded at assessment and in TOP. */
export const SUBSTANCES = [
  { code: 'opiates', label: 'Opiates (heroin, illicit methadone and others)' },
  { code: 'crack', label: 'Crack cocaine' },
  { code: 'cocaine', label: 'Cocaine powder' },
  { code: 'amphetamines', label: 'Amphetamines' },
  { code: 'cannabis', label: 'Cannabis' },
  { code: 'benzodiazepines', label: 'Benzodiazepines' },
  { code: 'new_psychoactive', label: 'New psychoactive substances' },
  { code: 'alcohol', label: 'Alcohol' },
  { code: 'other_drug', label: 'Other drug' },
] as const satisfies readonly CodeEntry[];

export type Substance = (typeof SUBSTANCES)[number]['code'];

/**
 * Labels of the consent data categories. The categories themselves belong to the consent
 * rules (`src/consent/data-categories.ts`); this record is typed by them.
 */
export const DATA_CATEGORY_LABELS: Record<DataCategory, string> = {
  identity: 'Identity (name, date of birth, sex)',
  contact: 'Contact details',
  substance_use: 'Substance use',
  treatment_progress: 'Treatment progress and attendance',
  health: 'Physical and mental health',
  offending: 'Offending and criminal justice',
  housing: 'Housing',
  employment: 'Employment, education and training',
  safeguarding: 'Safeguarding (children and adults at risk)',
};

/** The data categories as a code list, in the consent rules' order. */
export const DATA_CATEGORY_CODES: readonly CodeEntry[] = DATA_CATEGORIES.map((code) => ({ code, label: DATA_CATEGORY_LABELS[code] }));
