/**
 * Loads what the reducers need to know about a journey or a referral beyond its events:
 * its agency and the person's breakdown values. Read once, on the stream's first event;
 * after that the values travel in the stored facts.
 */
import type { Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { dimensionValues } from '../../machines/measure-dimensions.ts';
import type { CaseSubject, ReferralSubject } from './metric-change.ts';

const ONE_CASE_SUBJECT = `select cases.id, cases.person_id, cases.lead_agency_id, cases.referred_on, cases.referral_source,
  people.sex, people.date_of_birth, people.ethnicity, people.postcode_district, people.details
  from cases left join people on people.id = cases.person_id where cases.id = ?`;

/**
 * Subjects of the given journeys, by case id (missing ids are left out). Inside an engine
 * transaction pass its `DirectSql`: one journey's subject is then read with a fixed text.
 */
export async function loadCaseSubjects(db: Kysely<Database>, caseIds: readonly string[], direct?: DirectSql): Promise<Map<string, CaseSubject>> {
  const out = new Map<string, CaseSubject>();
  if (caseIds.length === 0) return out;
  type Row = Pick<CaseRow, 'id' | 'person_id' | 'lead_agency_id' | 'referred_on' | 'referral_source'> & {
    sex: string | null;
    date_of_birth: string | null;
    ethnicity: string | null;
    postcode_district: string | null;
    details: string | null;
  };
  const rows: Row[] = direct && caseIds.length === 1 ? await direct.all<Row>(ONE_CASE_SUBJECT, caseIds) : await db
    .selectFrom('cases')
    .leftJoin('people', 'people.id', 'cases.person_id')
    .select([
      'cases.id',
      'cases.person_id',
      'cases.lead_agency_id',
      'cases.referred_on',
      'cases.referral_source',
      'people.sex',
      'people.date_of_birth',
      'people.ethnicity',
      'people.postcode_district',
      'people.details',
    ])
    .where('cases.id', 'in', caseIds)
    .execute();
  for (const r of rows) {
    const person = personOf(r);
    out.set(r.id, {
      personId: r.person_id,
      agencyId: r.lead_agency_id,
      referredOn: r.referred_on,
      dims: dimensionValues(person, r.referral_source, r.referred_on),
    });
  }
  return out;
}

/**
 * Subjects of the given referrals, by referral id. A referral's "referral source" is the
 * kind of agency that sent it (jobcentre_plus, probation, …).
 */
export async function loadReferralSubjects(db: Kysely<Database>, referralIds: readonly string[]): Promise<Map<string, ReferralSubject>> {
  const out = new Map<string, ReferralSubject>();
  if (referralIds.length === 0) return out;
  const rows = await db
    .selectFrom('referrals')
    .leftJoin('people', 'people.id', 'referrals.person_id')
    .leftJoin('agencies', 'agencies.id', 'referrals.from_agency_id')
    .select([
      'referrals.id',
      'referrals.to_agency_id',
      'referrals.created_at',
      'referrals.acknowledge_by',
      'referrals.first_contact_by',
      'agencies.kind as from_kind',
      'people.sex',
      'people.date_of_birth',
      'people.ethnicity',
      'people.postcode_district',
      'people.details',
    ])
    .where('referrals.id', 'in', referralIds)
    .execute();
  for (const r of rows) {
    const person = personOf(r);
    out.set(r.id, {
      toAgencyId: r.to_agency_id,
      createdAt: r.created_at,
      acknowledgeBy: r.acknowledge_by,
      firstContactBy: r.first_contact_by,
      dims: dimensionValues(person, r.from_kind ?? '', r.created_at),
    });
  }
  return out;
}

/** The person's monitoring fields from a left join (absent when the person row is missing). */
function personOf(r: { sex: string | null; date_of_birth: string | null; ethnicity: string | null; postcode_district: string | null; details: string | null }) {
  return r.sex !== null && r.date_of_birth !== null && r.details !== null
    ? { sex: r.sex, date_of_birth: r.date_of_birth, ethnicity: r.ethnicity, postcode_district: r.postcode_district, details: r.details }
    : undefined;
}
