/**
 * Which categories of data each kind of referral shares, and so which consent a referral
 * needs before it may be sent. Caldicott principle 3 (the minimum necessary): each kind
 * shares identity and contact plus only what the receiving service needs to act.
 */
import type { ReferralKind } from './referral-kinds.ts';
import type { DataCategory } from './data-categories.ts';

/** Categories a referral of each kind shares with the receiving agency. */
export const REFERRAL_KIND_CATEGORIES: Record<ReferralKind, readonly DataCategory[]> = {
  treatment: ['identity', 'contact', 'substance_use'],
  // The attendance report back to Jobcentre Plus (TPR2) is treatment progress.
  employment_support: ['identity', 'contact', 'treatment_progress'],
  housing: ['identity', 'contact', 'housing'],
  mental_health: ['identity', 'contact', 'health'],
  mutual_aid: ['identity', 'contact'],
  residential_rehabilitation: ['identity', 'contact', 'substance_use', 'health'],
  inpatient_detox: ['identity', 'contact', 'substance_use', 'health'],
  safeguarding: ['identity', 'safeguarding'],
};

/** The categories a referral of `kind` needs that `consented` lacks (empty when it may be sent). */
export function missingCategories(kind: ReferralKind, consented: ReadonlySet<DataCategory>): DataCategory[] {
  return REFERRAL_KIND_CATEGORIES[kind].filter((c) => !consented.has(c));
}

/**
 * True for the Jobcentre Plus pair, which needs the claimant's explicit consent: a work
 * coach's treatment referral (TPR1) and the provider's attendance report back (TPR2,
 * an employment-support referral to Jobcentre Plus).
 */
export function isJobcentrePair(kind: string, fromKind: string, toKind: string): boolean {
  return (kind === 'treatment' && fromKind === 'jobcentre_plus') || (kind === 'employment_support' && toKind === 'jobcentre_plus');
}

/** The referral source a treatment journey records, from the kind of agency that referred. */
export const REFERRAL_SOURCE_BY_AGENCY_KIND: Record<string, string> = {
  jobcentre_plus: 'employment_service',
  probation: 'probation',
  prison: 'prison',
  police_custody: 'arrest_referral_dip',
  court: 'drr',
  gp: 'gp',
  hospital: 'general_hospital',
  mental_health: 'psychiatry',
  children_services: 'social_services',
  treatment_provider: 'drug_service_statutory',
  housing: 'other',
  mutual_aid: 'other',
};

/**
 * The category of what the receiving agency reports back about a referral of each kind
 * (attendance, first contact, outcome): the sender sees that progress only where the
 * person agreed to share this category with it.
 */
export const REFERRAL_PROGRESS_CATEGORY: Record<ReferralKind, DataCategory> = {
  treatment: 'treatment_progress',
  residential_rehabilitation: 'treatment_progress',
  inpatient_detox: 'treatment_progress',
  mutual_aid: 'treatment_progress',
  employment_support: 'employment',
  housing: 'housing',
  mental_health: 'health',
  safeguarding: 'safeguarding',
};

/** Referral states that report progress (attendance) rather than the receiver's decision. */
export const PROGRESS_REFERRAL_STATES: readonly string[] = ['inProgress'];

/** Referral events that report progress; the sender hears of them only with consent to it. */
export const PROGRESS_REFERRAL_EVENTS: readonly string[] = ['FIRST_CONTACT_MADE', 'FIRST_CONTACT_DEADLINE_PASSED'];
