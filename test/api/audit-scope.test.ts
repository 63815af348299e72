/**
 * Who reads which audit trail: an auditor their own agency's (what its staff did, and what
 * anyone did with the records it holds), an area auditor every agency's of their area,
 * nobody another area's; referral reasons never, override justifications only the area
 * auditor.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

interface Entry {
  agencyId: string | null;
  personId: string | null;
  action: string;
  purpose: string | null;
  withheld: string[];
}

describe.each(DIALECTS)('audit scope on %s', (dialect) => {
  let h: ApiHarness;
  const ids: Record<string, string> = {};
  const users: Record<string, TestUser> = {};

  beforeAll(async () => {
    h = await createApiHarness(dialect);
    const provider = await makeAgency(h, 'treatment_provider', { area: 'North' });
    const housing = await makeAgency(h, 'housing', { area: 'North' });
    const children = await makeAgency(h, 'children_services', { area: 'North' });
    const south = await makeAgency(h, 'treatment_provider', { area: 'South' });
    Object.assign(ids, { provider: provider.id, housing: housing.id, children: children.id, south: south.id });
    users.keyworker = await makeUser(h, provider.id, 'keyworker');
    users.auditor = await makeUser(h, provider.id, 'auditor');
    users.areaAuditor = await makeUser(h, housing.id, 'area_auditor');
    users.housingOfficer = await makeUser(h, housing.id, 'referrer');
    users.housingAuditor = await makeUser(h, housing.id, 'auditor');
    users.southKeyworker = await makeUser(h, south.id, 'keyworker');
    users.southAuditor = await makeUser(h, south.id, 'auditor');

    ids.person = await makePerson(h, users.keyworker);
    await giveConsent(h, users.keyworker, ids.person, { toAgencyId: housing.id }, ['identity', 'contact', 'housing']);
    const sent = await as(h, users.keyworker).post('/api/v1/referrals', { personId: ids.person, toAgencyId: housing.id, kind: 'housing', reason: 'Sofa-surfing since October', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const override = await as(h, users.keyworker).post('/api/v1/referrals', {
      personId: ids.person,
      toAgencyId: children.id,
      kind: 'safeguarding',
      reason: 'Child at risk',
      urgency: 'urgent',
      safeguardingOverride: { justification: 'Disclosed a child at home is left alone while the parent uses.' },
    });
    expect(override.status).toBe(201);
    // Housing reads the person it was sent: an entry by housing about the provider's person.
    expect((await as(h, users.housingOfficer).get(`/api/v1/people/${ids.person}`)).status).toBe(200);
    ids.southPerson = await makePerson(h, users.southKeyworker);
    expect((await as(h, users.southKeyworker).get(`/api/v1/people/${ids.southPerson}`)).status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
  });

  async function trail(user: TestUser, query = ''): Promise<Entry[]> {
    const res = await as(h, user).get(`/api/v1/audit?limit=200${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items as Entry[];
  }

  it('an auditor reads their own agency\'s trail and what others did with its records, never another area\'s', async () => {
    const items = await trail(users.auditor!);
    expect(items.length).toBeGreaterThan(0);
    for (const e of items) expect(e.agencyId === ids.provider || e.personId === ids.person, JSON.stringify(e)).toBe(true);
    expect(items.some((e) => e.agencyId === ids.housing && e.action === 'read')).toBe(true);
    expect(items.some((e) => e.agencyId === ids.south || e.personId === ids.southPerson)).toBe(false);
    const refused = await as(h, users.auditor!).get(`/api/v1/audit?agencyId=${ids.south}`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');

    const south = await trail(users.southAuditor!);
    expect(south.length).toBeGreaterThan(0);
    expect(south.some((e) => e.personId === ids.person || e.agencyId === ids.provider || e.agencyId === ids.housing)).toBe(false);
  });

  it('an area auditor reads every agency of their area, and no other area', async () => {
    const items = await trail(users.areaAuditor!);
    const agencies = new Set(items.map((e) => e.agencyId));
    expect(agencies.has(ids.provider!)).toBe(true);
    expect(agencies.has(ids.housing!)).toBe(true);
    expect(agencies.has(ids.south!)).toBe(false);
    expect(items.some((e) => e.personId === ids.southPerson)).toBe(false);
    expect((await trail(users.areaAuditor!, `&agencyId=${ids.provider}`)).every((e) => e.agencyId === ids.provider)).toBe(true);
    expect((await as(h, users.areaAuditor!).get(`/api/v1/audit?agencyId=${ids.south}`)).status).toBe(403);
  });

  it('never shows referral reasons; shows override justifications to the area auditor only', async () => {
    for (const user of [users.auditor!, users.areaAuditor!]) {
      const shares = (await trail(user, '&action=share')).filter((e) => e.personId === ids.person);
      expect(shares.length).toBeGreaterThan(0);
      for (const e of shares) expect(e).toMatchObject({ purpose: null, withheld: ['referralReason'] });
      expect(JSON.stringify(await trail(user))).not.toContain('Sofa-surfing');
    }
    const [agencyView] = await trail(users.auditor!, '&flagged=true');
    expect(agencyView).toMatchObject({ action: 'override', purpose: null, withheld: ['overrideJustification'] });
    const [areaView] = await trail(users.areaAuditor!, '&flagged=true');
    expect(areaView).toMatchObject({ action: 'override', withheld: [] });
    expect(areaView!.purpose).toMatch(/left alone/);
  });

  it('keeps case records closed to both audit roles', async () => {
    for (const user of [users.auditor!, users.areaAuditor!]) {
      expect((await as(h, user).get(`/api/v1/people/${ids.person}`)).status).toBe(404);
      expect((await as(h, user).get('/api/v1/cases')).status).toBe(403);
    }
  });
});
