/**
 * Recognised on arrival: a referral reaching an agency that already holds a record of the
 * same person (same NHS number, or same name, date of birth and postcode district) says
 * "probably known to you as …" to that agency, and to nobody else.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('known to you as, on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let coach: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    const jobcentre = await makeAgency(h, 'jobcentre_plus');
    coach = await makeUser(h, jobcentre.id, 'referrer');
  });
  afterEach(async () => {
    await h.close();
  });

  async function refer(personId: string): Promise<string> {
    await giveConsent(h, coach, personId, { toAgencyId: provider.id }, ['identity', 'contact']);
    const sent = await as(h, coach).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'mutual_aid', reason: 'Peer support', urgency: 'routine' });
    expect(sent.status).toBe(201);
    return sent.body.id as string;
  }

  it('names the receiving agency’s own record with the same NHS number, or name, date of birth and district', async () => {
    const theirs = await makePerson(h, keyworker, { givenName: 'Kyle', familyName: 'Brennan', dateOfBirth: '1991-03-01', postcodeDistrict: 'NB2', nhsNumber: '9434765919' });
    // The same name and birthday in another district, registered past the warning: not the same person.
    await makePerson(h, keyworker, { givenName: 'Kyle', familyName: 'Brennan', dateOfBirth: '1991-03-01', postcodeDistrict: 'NB7', confirmNew: true });
    const referred = await makePerson(h, coach, { givenName: 'kyle', familyName: 'BRENNAN', dateOfBirth: '1991-03-01', postcodeDistrict: 'NB2', nhsNumber: '943 476 5919' });
    const referralId = await refer(referred);
    const res = await as(h, keyworker).get(`/api/v1/referrals/${referralId}/known-as`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ id: theirs, givenName: 'Kyle', matchedOn: ['nhs_number', 'name_date_of_birth_and_postcode_district'] })]);
    // The sender is told nothing of the receiver's records.
    expect((await as(h, coach).get(`/api/v1/referrals/${referralId}/known-as`)).status).toBe(404);
  });

  it('says nothing when the receiving agency holds nobody like them', async () => {
    await makePerson(h, keyworker, { givenName: 'Kylie', familyName: 'Brennan', dateOfBirth: '1991-03-01', postcodeDistrict: 'NB2' });
    const referralId = await refer(await makePerson(h, coach, { givenName: 'Kyle', familyName: 'Brennan', dateOfBirth: '1991-03-01', postcodeDistrict: 'NB2' }));
    const res = await as(h, keyworker).get(`/api/v1/referrals/${referralId}/known-as`);
    expect(res.body.items).toEqual([]);
  });
});
