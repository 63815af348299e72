/**
 * People in a real browser: the header's search box finds a person by name, date of
 * birth or NHS number among the people the user may see (and nobody else); sending a
 * referral starts by finding the person, and a wrong person id never leaves the page
 * stuck; adding a person shows look-alikes before anything is saved; the person's page
 * lists their consents with renew and withdraw; a referred person known to the receiver is
 * accepted and linked to its own record, and unlinked again from the person page; the
 * caseload warns of a consent a live referral uses that ends within 30 days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENCY_IDS } from '../../seeds/demo-area.ts';
import { wcagViolations } from './accessibility.ts';
import { apiAs, loginToken, screenshot, signIn, startWebWorld, unlabelledControls, type WebWorld } from './web-world.ts';

let world: WebWorld;
let familyName: string;
let personId: string;

beforeAll(async () => {
  world = await startWebWorld();
  const coach = await loginToken(world.url, 'jobcentre@northbridge.example');
  familyName = `Brennan${Date.now().toString(36).replace(/\d/g, '')}`;
  const person = await apiAs<{ id: string }>(world.url, coach, 'POST', '/people', {
    givenName: 'Kyle',
    familyName,
    dateOfBirth: '1991-03-01',
    sex: 'male',
    nhsNumber: '9434765919',
  });
  personId = person.id;
  await apiAs(world.url, coach, 'POST', `/people/${personId}/consents`, { toAgencyKind: 'treatment_provider', categories: ['identity', 'contact', 'substance_use'], purpose: 'Treatment referral' });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

describe('people', () => {
  it('finds a person from the header by part of the name, by date of birth and by NHS number; opens their page with consents', { timeout: 90_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'jobcentre@northbridge.example');
    const box = page.getByRole('searchbox', { name: 'Find a person' });
    await box.fill(`${familyName.slice(0, 5).toLowerCase()} kyle`);
    await box.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Find a person');
    await expect.poll(() => page.getByTestId('person-line').first().textContent()).toContain(`Kyle ${familyName}`);
    await screenshot(page, 'people-search');

    for (const text of ['01/03/1991', '943 476 5919']) {
      await page.getByLabel('Name, date of birth or identifier').fill(text);
      await page.getByRole('button', { name: 'Find' }).click();
      await expect.poll(() => page.getByTestId('person-line').first().textContent()).toContain(`Kyle ${familyName}`);
    }

    await page.getByRole('link', { name: 'Open' }).first().click();
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(`Kyle ${familyName}`);
    await expect.poll(() => page.getByTestId('consents').textContent()).toContain('Every treatment provider agency');
    // A consent given today without an end date runs a year: it shows as active, not expiring today.
    await expect.poll(() => page.locator('[data-consent-status]').first().getAttribute('data-consent-status')).toBe('active');
    await page.getByRole('button', { name: 'Renew for a year' }).click();
    await expect.poll(() => page.getByText(/Consent renewed until/).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => page.locator('[data-consent-status]').first().getAttribute('data-consent-status')).toBe('withdrawn');
    // The history says it in words, newest first, with the agency it named.
    const history = page.getByTestId('person-history');
    await expect.poll(() => history.locator('li strong').first().textContent()).toBe('Consent withdrawn');
    expect(await history.locator('li[data-event-type="CONSENT_WITHDRAWN"] .payload').textContent()).toMatch(/^to every treatment provider agency/);
    expect(await history.locator('li[data-event-type="CONSENT_RENEWED"] .payload').textContent()).toMatch(/^to every treatment provider agency · until \d+ \w+ \d{4}$/);
    expect(await history.textContent()).not.toMatch(/[{}]/);
    await screenshot(page, 'person-page');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('finds nobody the user may not see', { timeout: 60_000 }, async () => {
    const { page } = await world.newPage();
    await signIn(page, world.url, 'probation@northbridge.example');
    const box = page.getByRole('searchbox', { name: 'Find a person' });
    await box.fill(familyName);
    await box.press('Enter');
    await expect.poll(() => page.getByText('Nobody you can see matches').count()).toBe(1);
    expect(await page.getByTestId('person-line').count()).toBe(0);
  });

  it('sends a referral by finding the person; a wrong id is explained and left behind; adding a look-alike shows them first', { timeout: 90_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'jobcentre@northbridge.example');
    // A person id that is wrong (or hidden): the page says so and offers the search.
    await page.goto(`${world.url}/#/referrals/new?personId=00000000-0000-4000-8000-000000000000`);
    await page.getByRole('button', { name: 'Find the person' }).click();
    await page.getByLabel('Name, date of birth or identifier').fill(`kyle ${familyName}`);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Choose' }).first().click();
    await expect.poll(() => page.getByTestId('referral-person').textContent()).toBe(`Kyle ${familyName}`);

    // Adding the same person again: the look-alike is shown before anything is saved.
    await page.getByRole('button', { name: 'Choose someone else' }).click();
    await page.getByRole('button', { name: 'Add a new person' }).click();
    await page.getByLabel('Given name').fill('KYLE');
    await page.getByLabel('Family name').fill(familyName.toLowerCase());
    await page.getByLabel('Date of birth').fill('1991-03-01');
    await page.locator('#ev-person-sex').selectOption('male');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect.poll(() => page.getByTestId('possible-duplicates').textContent()).toContain(`Kyle ${familyName}`);
    await screenshot(page, 'possible-duplicates');
    await page.getByRole('button', { name: 'Use this person' }).click();
    await expect.poll(() => page.getByTestId('referral-person').textContent()).toBe(`Kyle ${familyName}`);
    expect(errors).toEqual([]);
  });

  it('tells the receiving agency a referred person is probably known to it, and links to its own record', { timeout: 90_000 }, async () => {
    const coach = await loginToken(world.url, 'jobcentre@northbridge.example');
    const keyworker = await loginToken(world.url, 'keyworker@northbridge.example');
    const family = `Quill${Date.now().toString(36).replace(/\d/g, '')}`;
    const own = await apiAs<{ id: string }>(world.url, keyworker, 'POST', '/people', { givenName: 'Dana', familyName: family, dateOfBirth: '1984-05-06', sex: 'female', postcodeDistrict: 'NB4' });
    const referred = await apiAs<{ id: string }>(world.url, coach, 'POST', '/people', { givenName: 'Dana', familyName: family, dateOfBirth: '1984-05-06', sex: 'female', postcodeDistrict: 'NB4' });
    await apiAs(world.url, coach, 'POST', `/people/${referred.id}/consents`, { toAgencyKind: 'treatment_provider', categories: ['identity', 'contact'], purpose: 'Mutual aid' });
    const sent = await apiAs<{ id: string }>(world.url, coach, 'POST', '/referrals', { personId: referred.id, toAgencyId: DEMO_AGENCY_IDS.recovery, kind: 'mutual_aid', reason: 'Peer support', urgency: 'routine' });
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/referrals/${sent.id}`);
    await expect.poll(() => page.getByTestId('known-as').textContent()).toContain(`Dana ${family}`);
    await page.getByTestId('known-as').getByRole('button', { name: 'Accept and link to this record' }).click();
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Accepted');
    await page.getByTestId('known-as').getByRole('link').click();
    await expect.poll(() => page.url()).toContain(`/people/${own.id}`);
    // The person page lists the linked record, with why and an unlink.
    const linked = page.getByTestId('linked-records');
    await expect.poll(() => linked.locator(`[data-linked-id="${referred.id}"]`).textContent()).toContain(`Dana ${family}`);
    await expect.poll(() => linked.textContent()).toContain('linked on accepting the referral');
    await screenshot(page, 'person-linked-records');
    expect(await wcagViolations(page)).toEqual([]);
    page.once('dialog', (d) => void d.accept());
    await linked.getByRole('button', { name: 'Unlink' }).click();
    await expect.poll(() => linked.textContent()).toContain('No other record of this person is linked');

    // Linked again from the person page: find the other record, say why, link.
    await linked.getByRole('button', { name: 'Link another record of this person' }).click();
    await linked.getByLabel('Name, date of birth or identifier').fill(`dana ${family}`);
    await linked.getByRole('button', { name: 'Find' }).click();
    await linked.getByRole('button', { name: 'Link this record' }).first().click();
    await linked.getByLabel('Why they are the same person').fill('Same person: confirmed with Dana');
    await linked.getByRole('button', { name: 'Link the records' }).click();
    await expect.poll(() => linked.locator(`[data-linked-id="${referred.id}"]`).textContent()).toContain('confirmed with Dana');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await wcagViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('warns on the caseload of a consent a live referral uses that ends within 30 days', { timeout: 90_000 }, async () => {
    const keyworker = await loginToken(world.url, 'keyworker@northbridge.example');
    const me = await apiAs<{ id: string }>(world.url, keyworker, 'GET', '/me');
    const family = `Wren${Date.now().toString(36).replace(/\d/g, '')}`;
    const person = await apiAs<{ id: string }>(world.url, keyworker, 'POST', '/people', { givenName: 'Ola', familyName: family, dateOfBirth: '1979-02-03', sex: 'female' });
    const today = new Date().toISOString().slice(0, 10);
    await apiAs(world.url, keyworker, 'POST', '/cases', { personId: person.id, referralSource: 'self', referredOn: today, keyworkerId: me.id });
    const ends = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await apiAs(world.url, keyworker, 'POST', `/people/${person.id}/consents`, { toAgencyId: DEMO_AGENCY_IDS.housing, categories: ['identity', 'contact', 'housing'], purpose: 'Housing referral', validUntil: ends });
    await apiAs(world.url, keyworker, 'POST', '/referrals', { personId: person.id, toAgencyId: DEMO_AGENCY_IDS.housing, kind: 'housing', reason: 'Needs a tenancy', urgency: 'routine' });
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/caseload`);
    const warning = page.locator('.consent-warning', { hasText: 'ends' }).filter({ has: page.locator(`a[href$="/people/${person.id}"]`) });
    await expect.poll(() => warning.count()).toBe(1);
    expect(await warning.textContent()).toMatch(/^Consent to share with .+ ends /);
    await screenshot(page, 'caseload-consent-warning');
    expect(await wcagViolations(page)).toEqual([]);
    await warning.getByRole('link').click();
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(`Ola ${family}`);
    expect(errors).toEqual([]);
  });
});
