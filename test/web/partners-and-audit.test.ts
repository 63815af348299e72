/**
 * Partner staff and auditors in a real browser: a Jobcentre Plus work coach sends a
 * treatment referral (refused until consent is recorded, then sent), the provider
 * accepts it from its inbox; a housing officer works an inbox referral to its outcome,
 * which the sender sees; a partner without consent cannot see the person; an auditor
 * filters the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENCY_IDS, DEMO_USERS } from '../../seeds/demo-area.ts';
import { wcagViolations } from './accessibility.ts';
import { addPerson, openReferredJourney } from './journey-setup.ts';
import { apiAs, loginToken, screenshot, signIn, startWebWorld, unlabelledControls, type WebWorld } from './web-world.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
}, 180_000);

afterAll(async () => {
  await world?.close();
});

describe('partner staff', () => {
  it('sends a treatment referral: refused without consent, sent with it, accepted by the provider', { timeout: 90_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'jobcentre@northbridge.example');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Referrals');
    await screenshot(page, 'partner-inbox');

    await page.getByRole('button', { name: 'Send a referral' }).click();
    await page.getByRole('button', { name: 'Add a new person' }).click();
    const familyName = `Claimant${Date.now().toString(36)}`;
    await page.getByLabel('Given name').fill('Jordan');
    await page.getByLabel('Family name').fill(familyName);
    await page.getByLabel('Date of birth').fill('1979-09-30');
    await page.locator('#ev-person-sex').selectOption('male');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect.poll(() => page.getByTestId('referral-person').textContent()).toBe(`Jordan ${familyName}`);

    await page.getByLabel('Receiving agency').selectOption(DEMO_AGENCY_IDS.recovery);
    await page.getByLabel('Kind of referral').selectOption('treatment');
    await expect.poll(() => page.getByTestId('consent-check').getAttribute('data-missing')).toBe('identity,contact,substance_use');

    // Sending without consent: the API's 422 consent_required, explained in words.
    const form = page.locator('form[data-event-form="referral"]');
    await form.getByLabel('Reason').fill('Asked for help with drinking at a work search review');
    await form.getByRole('button', { name: 'Send referral' }).click();
    await expect.poll(() => form.locator('.problem').textContent()).toMatch(/Not sent: the person has not consented to share identity, contact, substance use with Northbridge Recovery Partnership/);
    await screenshot(page, 'partner-consent-missing');
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByRole('button', { name: 'Record the person’s consent' }).click();
    await page.locator('form[data-event-form="consent"]').getByRole('button', { name: 'Record consent' }).click();
    await expect.poll(() => page.getByTestId('consent-check').getAttribute('data-missing')).toBe('');
    await form.getByRole('button', { name: 'Send referral' }).click();
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Requested');
    const referralId = page.url().split('/referrals/')[1] ?? '';
    expect(referralId).toMatch(/^[0-9a-f-]{36}$/);
    await screenshot(page, 'partner-referral-sent');

    // The provider accepts it from its inbox, which opens the journey.
    const provider = await world.newPage();
    await signIn(provider.page, world.url, 'keyworker@northbridge.example');
    await provider.page.goto(`${world.url}/#/referrals?box=inbox`);
    await provider.page.getByRole('link', { name: `Jordan ${familyName}` }).click();
    await provider.page.locator('button[data-action="REFERRAL_ACCEPTED"]').click();
    await provider.page.locator('form[data-event-form="REFERRAL_ACCEPTED"] button[type=submit]').click();
    await expect.poll(() => provider.page.getByTestId('referral-status').textContent()).toBe('Accepted');
    await expect.poll(() => provider.page.getByRole('link', { name: 'Open the journey' }).count()).toBe(1);

    // The sender sees the status change without reloading.
    await expect.poll(() => page.getByTestId('referral-status').textContent(), { timeout: 10_000 }).toBe('Accepted');
    expect(errors).toEqual([]);
    expect(provider.errors).toEqual([]);
  });

  it('works an inbox referral to its outcome, and the sender sees it', { timeout: 90_000 }, async () => {
    const kw = await loginToken(world.url, 'keyworker@northbridge.example');
    const person = await addPerson(world.url, kw);
    await apiAs(world.url, kw, 'POST', `/people/${person.id}/consents`, { toAgencyId: DEMO_AGENCY_IDS.housing, categories: ['identity', 'contact', 'housing'], purpose: 'Housing support' });
    const accepted = await apiAs<{ id: string }>(world.url, kw, 'POST', '/referrals', {
      personId: person.id,
      toAgencyId: DEMO_AGENCY_IDS.housing,
      kind: 'housing',
      reason: 'Sofa-surfing since October',
      urgency: 'urgent',
    });
    const declined = await apiAs<{ id: string }>(world.url, kw, 'POST', '/referrals', {
      personId: person.id,
      toAgencyId: DEMO_AGENCY_IDS.housing,
      kind: 'housing',
      reason: 'Duplicate of the urgent referral',
      urgency: 'routine',
    });

    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'housing@northbridge.example');
    const rows = page.locator('[data-testid=referrals-inbox] tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const row = page.locator(`tr[data-referral-id="${accepted.id}"]`);
    await expect.poll(() => row.textContent()).toMatch(/Urgent/);
    await expect.poll(() => row.textContent()).toMatch(/acknowledge by/i);
    await screenshot(page, 'partner-housing-inbox');

    const step = async (action: string, fill?: () => Promise<void>) => {
      await page.locator(`button[data-action="${action}"]`).click();
      await fill?.();
      await page.locator(`form[data-event-form="${action}"] button[type=submit]`).click();
      await expect.poll(() => page.getByTestId('referral-notice').textContent()).toMatch(/saved/);
    };
    await page.goto(`${world.url}/#/referrals/${declined.id}`);
    await page.locator('button[data-action="REFERRAL_REJECTED"]').click();
    await page.locator('form[data-event-form="REFERRAL_REJECTED"] button[type=submit]').click();
    // The reason is required by the shared schema: nothing is sent without it.
    await expect.poll(() => page.locator('#ev-referral_rejected-reason-error').textContent()).toMatch(/reason|required/i);
    await page.locator('#ev-referral_rejected-reason').fill('Already being helped under the urgent referral');
    await page.locator('form[data-event-form="REFERRAL_REJECTED"] button[type=submit]').click();
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Rejected');

    await page.goto(`${world.url}/#/referrals/${accepted.id}`);
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Requested');
    await step('REFERRAL_ACCEPTED');
    await step('FIRST_CONTACT_MADE');
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('In progress');
    await step('REFERRAL_COMPLETED', () => page.locator('#ev-referral_completed-outcome').fill('Placed in supported housing at Canal Court'));
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Completed');
    await screenshot(page, 'partner-referral-completed');

    // The loop closes: the sender sees the outcome.
    const sender = await world.newPage();
    await signIn(sender.page, world.url, 'keyworker@northbridge.example');
    await sender.page.goto(`${world.url}/#/referrals?box=outbox`);
    await sender.page.locator(`tr[data-referral-id="${accepted.id}"] a`).click();
    await expect.poll(() => sender.page.getByTestId('referral-outcome').textContent()).toBe('Placed in supported housing at Canal Court');
    expect(errors).toEqual([]);
  });

  it('a partner without consent cannot see the person', { timeout: 60_000 }, async () => {
    const { caseId, person } = await openReferredJourney(world.url);
    const { page } = await world.newPage();
    await signIn(page, world.url, 'probation@northbridge.example');
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => page.locator('.problem').textContent()).toMatch(/not found|do not have access/i);
    expect(await page.locator('main').textContent()).not.toContain(person.name.split(' ')[1]);
    await page.goto(`${world.url}/#/referrals?box=inbox`);
    await page.getByRole('heading', { name: 'Referrals' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('main').textContent()).not.toContain(person.name.split(' ')[1]);

    // Housing holds a referral for someone whose consent was then withdrawn: it keeps the
    // referral in its inbox, no longer sees who the person is, and what it already held (the
    // reason it was sent) stays readable as it was (issue 11: withdrawal stops new flow).
    const kw = await loginToken(world.url, 'keyworker@northbridge.example');
    const withdrawn = await addPerson(world.url, kw);
    const consent = await apiAs<{ id: string }>(world.url, kw, 'POST', `/people/${withdrawn.id}/consents`, {
      toAgencyId: DEMO_AGENCY_IDS.housing,
      categories: ['identity', 'contact', 'housing'],
      purpose: 'Housing support',
    });
    const referral = await apiAs<{ id: string }>(world.url, kw, 'POST', '/referrals', {
      personId: withdrawn.id,
      toAgencyId: DEMO_AGENCY_IDS.housing,
      kind: 'housing',
      reason: 'Eviction notice served last week',
      urgency: 'routine',
    });
    await apiAs(world.url, kw, 'POST', `/people/${withdrawn.id}/consents/${consent.id}/withdraw`, { reason: 'Person asked us to stop sharing' });
    const housing = await world.newPage();
    await signIn(housing.page, world.url, 'housing@northbridge.example');
    const row = housing.page.locator(`tr[data-referral-id="${referral.id}"]`);
    await expect.poll(() => row.textContent()).toMatch(/Name withheld/);
    await row.locator('a').click();
    await expect.poll(() => housing.page.getByTestId('person-panel').textContent()).toMatch(/no consent/i);
    const shown = (await housing.page.locator('main').textContent()) ?? '';
    expect(shown).not.toContain(withdrawn.name.split(' ')[1]);
    expect(shown).toContain('Eviction notice');
    await screenshot(housing.page, 'partner-no-consent');
  });
});

describe('auditor', () => {
  it('filters the audit trail by action and by person', { timeout: 60_000 }, async () => {
    const { person, caseId } = await openReferredJourney(world.url);
    const kw = await loginToken(world.url, 'keyworker@northbridge.example');
    await apiAs(world.url, kw, 'GET', `/cases/${caseId}`);

    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'auditor@northbridge.example');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit trail');
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr').count()).toBeGreaterThan(3);

    await page.getByLabel('Action').selectOption('read');
    await page.getByLabel('Person id').fill(person.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.url()).toContain(`personId=${person.id}`);
    const actions = page.locator('[data-testid=audit-table] tbody tr');
    await expect.poll(() => actions.count()).toBeGreaterThan(0);
    const kinds = await actions.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    expect(new Set(kinds)).toEqual(new Set(['read']));
    // Staff and agencies by name, details as named values (no ids cut to 8 characters, no JSON).
    const trail = (await page.getByTestId('audit-table').textContent()) ?? '';
    expect(trail).toContain(DEMO_USERS.find((u) => u.email === 'keyworker@northbridge.example')?.name ?? 'missing');
    expect(trail).toContain('Northbridge Recovery Partnership');
    expect(trail).not.toMatch(/[{}]/);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'auditor-trail');
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Flagged for review only').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('.empty, [data-testid=audit-table]').first().isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });
});
