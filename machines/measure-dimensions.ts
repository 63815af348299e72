/**
 * The breakdown dimensions of every measure (DOMAIN.md: "needs assessment must compare
 * provision with need"). A journey's dimension values are fixed when the journey is first
 * seen — age band is the age at referral — except its substance group: that is the
 * episode's (PHOF C19a–c count by it), recorded at assessment and correctable with the
 * care package, so a journey moves between substance rows when it is recorded. Until then
 * (and for referrals, which have no episode) it is the group in the person's monitoring
 * details. Both paths apply the same events in the same order, so incremental counts stay
 * equal to a rebuild.
 */
/** Dimensions a measure can be broken down by; `all` is the undivided total. */
export const DIMENSIONS = ['all', 'sex', 'age_band', 'ethnicity', 'postcode_district', 'referral_source', 'substance'] as const;
/** One breakdown dimension. */
export type Dimension = (typeof DIMENSIONS)[number];

/** A journey's (or referral's) value in every dimension but `all`. */
export type DimensionValues = Record<Exclude<Dimension, 'all'>, string>;

/** Value used when a monitoring field was not recorded. */
export const NOT_RECORDED = 'not_recorded';

/**
 * The age band of someone born on `dateOfBirth`, on `onDate` (both `YYYY-MM-DD` or ISO), in
 * whole years: `under_18`, `18-24`, `25-34`, `35-44`, `45-54`, `55-64`, `65+`.
 */
export function ageBand(dateOfBirth: string | null | undefined, onDate: string): string {
  if (!dateOfBirth) return NOT_RECORDED;
  const [by, bm, bd] = dateOfBirth.slice(0, 10).split('-').map(Number);
  const [y, m, d] = onDate.slice(0, 10).split('-').map(Number);
  if (by === undefined || bm === undefined || bd === undefined || y === undefined || m === undefined || d === undefined) return NOT_RECORDED;
  if ([by, bm, bd, y, m, d].some(Number.isNaN)) return NOT_RECORDED;
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < 18) return 'under_18';
  if (age <= 24) return '18-24';
  if (age <= 34) return '25-34';
  if (age <= 44) return '35-44';
  if (age <= 54) return '45-54';
  if (age <= 64) return '55-64';
  return '65+';
}

/** The person fields the breakdowns read. */
export interface PersonDimensionSource {
  sex: string;
  date_of_birth: string;
  ethnicity: string | null;
  postcode_district: string | null;
  /** JSON text; `substanceGroup` (or `substance`, `primarySubstance`) names the substance. */
  details: string;
}

/** The substance group recorded in a person's monitoring details (a journey's until its episode has its own). */
export function substanceOf(detailsJson: string): string {
  try {
    const details = JSON.parse(detailsJson) as Record<string, unknown>;
    for (const key of ['substanceGroup', 'substance', 'primarySubstance']) {
      const value = details[key];
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  } catch {
    // Unreadable details count as "not recorded" rather than stopping the measures.
  }
  return NOT_RECORDED;
}

/** Dimension values of a person, with the referral source and the date ages are taken on. */
export function dimensionValues(person: PersonDimensionSource | undefined, referralSource: string, onDate: string): DimensionValues {
  return {
    sex: person?.sex || NOT_RECORDED,
    age_band: person ? ageBand(person.date_of_birth, onDate) : NOT_RECORDED,
    ethnicity: person?.ethnicity || NOT_RECORDED,
    postcode_district: person?.postcode_district?.toUpperCase() || NOT_RECORDED,
    referral_source: referralSource || NOT_RECORDED,
    substance: person ? substanceOf(person.details) : NOT_RECORDED,
  };
}

/** Every (dimension, value) pair a journey counts under, `all` first. */
export function dimensionPairs(values: DimensionValues): Array<[Dimension, string]> {
  return [
    ['all', 'all'],
    ['sex', values.sex],
    ['age_band', values.age_band],
    ['ethnicity', values.ethnicity],
    ['postcode_district', values.postcode_district],
    ['referral_source', values.referral_source],
    ['substance', values.substance],
  ];
}
