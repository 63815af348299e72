/**
 * Test data made over the real API, the way partner agencies make it: a Jobcentre Plus
 * work coach adds a claimant, records their consent and sends a treatment referral; the
 * provider accepts it, which opens the journey.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_AGENCY_IDS, DEMO_USERS } from '../../seeds/demo-area.ts';
import { apiAs, loginToken } from './web-world.ts';

/** A demo user's id by email. */
export function demoUserId(email: string): string {
  const u = DEMO_USERS.find((x) => x.email === email);
  if (!u) throw new Error(`no demo user ${email}`);
  return u.id;
}

/** A person with a unique name, held by the agency of `token`. */
export async function addPerson(url: string, token: string, familyName = `Testperson${randomBytes(3).toString('hex')}`) {
  const person = await apiAs<{ id: string }>(url, token, 'POST', '/people', {
    givenName: 'Alex',
    familyName,
    dateOfBirth: '1986-04-12',
    sex: 'female',
    postcodeDistrict: 'NB3',
  });
  return { id: person.id, name: `Alex ${familyName}` };
}

/**
 * A journey at the Northbridge Recovery Partnership, referred by Jobcentre Plus with
 * consent and assigned to `keyworkerEmail`.
 */
export async function openReferredJourney(url: string, keyworkerEmail = 'keyworker@northbridge.example') {
  const jcp = await loginToken(url, 'jobcentre@northbridge.example');
  const kw = await loginToken(url, keyworkerEmail);
  const person = await addPerson(url, jcp);
  await apiAs(url, jcp, 'POST', `/people/${person.id}/consents`, {
    toAgencyId: DEMO_AGENCY_IDS.recovery,
    categories: ['identity', 'contact', 'substance_use', 'treatment_progress'],
    purpose: 'Voluntary discussion with the treatment provider (TPR1)',
  });
  const referral = await apiAs<{ id: string; version: number }>(url, jcp, 'POST', '/referrals', {
    personId: person.id,
    toAgencyId: DEMO_AGENCY_IDS.recovery,
    kind: 'treatment',
    reason: 'Claimant asked for help with alcohol use',
    urgency: 'routine',
  });
  const accepted = await apiAs<{ caseId: string | null }>(url, kw, 'POST', `/referrals/${referral.id}/events`, { type: 'REFERRAL_ACCEPTED' });
  if (!accepted.caseId) throw new Error('accepting a treatment referral opened no journey');
  const c = await apiAs<{ version: number; keyworkerId: string | null }>(url, kw, 'GET', `/cases/${accepted.caseId}`);
  const keyworkerId = demoUserId(keyworkerEmail);
  if (c.keyworkerId !== keyworkerId) {
    await apiAs(url, kw, 'POST', `/cases/${accepted.caseId}/events`, { type: 'KEYWORKER_ASSIGNED', expectedVersion: c.version, keyworkerId });
  }
  return { caseId: accepted.caseId, person, keyworkerToken: kw, jcpToken: jcp };
}
