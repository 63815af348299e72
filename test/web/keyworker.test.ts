/**
 * A keyworker's main job in a real browser: the caseload with what is due first, then one
 * journey moved from referral through screening, assessment, a care package, treatment,
 * a TOP, a successful discharge, relapse and rapid re-entry — every step through the
 * buttons the API's allowedEvents produce and the forms built from the shared schemas —
 * a version conflict explained, and the keyworker's own save never taken for someone else's
 * change however its live echo and its answer interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../seeds/demo-area.ts';
import { openReferredJourney } from './journey-setup.ts';
import { apiAs, screenshot, signIn, startWebWorld, unlabelledControls, type WebWorld } from './web-world.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld({ cohort: 60 });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

/**
 * Clicks an action button, fills the form with `fill`, submits, and waits for this action's
 * own "saved" (the notice of the step before also says "saved") and the new stage.
 */
async function act(page: Page, action: string, fill: (form: ReturnType<Page["locator"]>) => Promise<unknown>, stage?: RegExp) {
  const button = page.locator(`button[data-action="${action}"]`);
  const label = await button.textContent();
  await button.click();
  const form = page.locator(`form[data-event-form="${action}"]`);
  await form.waitFor();
  await fill(form);
  await form.locator('button[type=submit]').click();
  await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toContain(`${label}: saved.`);
  if (stage) await expect.poll(() => page.getByTestId('case-stage').textContent(), { timeout: 10_000 }).toMatch(stage);
}

async function fillTop(form: ReturnType<Page['locator']>, prefix: string) {
  // The TOP starts empty: every 28-day count is answered (0 here unless already given).
  for (const input of await form.locator(`input[type=number][id^="${prefix}-"]`).all()) {
    if ((await input.inputValue()) === '') await input.fill('0');
  }
  await form.locator(`#${prefix}-psychologicalHealth`).fill('12');
  await form.locator(`#${prefix}-physicalHealth`).fill('14');
  await form.locator(`#${prefix}-qualityOfLife`).fill('11');
}

describe('keyworker', () => {
  it('works a journey from referral to rapid re-entry', { timeout: 120_000 }, async () => {
    const { caseId, person } = await openReferredJourney(world.url);
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');

    // The caseload: overdue first, and the new journey is on it.
    await page.getByTestId('caseload').waitFor();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('My caseload');
    const rows = page.locator('[data-testid=caseload] tbody tr');
    expect(await rows.count()).toBeGreaterThan(1);
    const flagged = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('.badge-bad') !== null));
    // Everything overdue sorts before everything that is not.
    expect(flagged.indexOf(false) === -1 || !flagged.slice(flagged.indexOf(false)).includes(true)).toBe(true);
    await screenshot(page, 'keyworker-caseload');

    await page.getByRole('link', { name: person.name }).click();
    await expect.poll(() => page.getByTestId('case-stage').textContent()).toMatch(/Referred/);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);

    // Only what the new journey accepts is offered: no COMMUNITY_ENGAGED (never in custody),
    // and discharge offers only the unsuccessful reasons (no treatment yet).
    const offered = () => page.locator('button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
    await expect.poll(offered).toContain('SCREENING_STARTED');
    expect(await offered()).not.toContain('COMMUNITY_ENGAGED');
    await page.locator('button[data-action="DISCHARGED"]').click();
    const early = page.locator('form[data-event-form="DISCHARGED"]');
    const reasons = () => early.getByLabel('Reason').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    await expect.poll(reasons).toContain('dropped_out');
    expect(await reasons()).not.toContain('completed_drug_free');
    await page.locator('button[data-action="DISCHARGED"]').click();
    await expect.poll(() => early.count()).toBe(0);

    await act(page, 'SCREENING_STARTED', async () => {}, /Screening/);
    await act(page, 'SCREENING_COMPLETED', (f) => f.getByLabel('Outcome').selectOption('assess'), /Assessment/);
    await act(
      page,
      'ASSESSMENT_COMPLETED',
      async (f) => {
        await f.getByLabel('Housing need').selectOption('housing_problem');
        await f.locator('#ev-assessment_completed-domains-substanceUse').fill('Alcohol daily, no other substances.');
        // The episode's substance group, which PHOF C19a–c count by.
        await f.getByLabel('Substance group (for national reporting)').selectOption('alcohol_only');
      },
      /Care planning/,
    );
    await expect.poll(() => page.locator('dl.facts').filter({ hasText: 'Substance group (for national reporting)' }).textContent()).toContain('Alcohol only');

    // The care package editor: two interventions.
    await page.getByRole('button', { name: 'Agree care package' }).first().click();
    const pkg = page.locator('form[data-event-form="CARE_PLAN_AGREED"]');
    await pkg.locator('#ev-care_plan_agreed-interventions-0-modality').selectOption('structured_alcohol');
    await pkg.getByRole('button', { name: 'Add intervention' }).click();
    await pkg.locator('#ev-care_plan_agreed-interventions-1-modality').selectOption('structured_psychosocial');
    await screenshot(page, 'keyworker-care-package-editor');
    expect(await unlabelledControls(page)).toEqual([]);
    await pkg.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=care-package] tbody tr').count(), { timeout: 10_000 }).toBe(2);

    await act(page, 'INTERVENTION_OFFERED', async (f) => {
      const value = await f.locator('#ev-intervention_offered-interventionId option').nth(1).getAttribute('value');
      await f.locator('#ev-intervention_offered-interventionId').selectOption(value ?? '');
    });
    await act(
      page,
      'INTERVENTION_STARTED',
      async (f) => {
        const value = await f.locator('#ev-intervention_started-interventionId option').nth(1).getAttribute('value');
        await f.locator('#ev-intervention_started-interventionId').selectOption(value ?? '');
      },
      /In treatment/,
    );

    // The TOP form is checked with the shared schema before anything is sent.
    await page.locator('button[data-action="TOP_RECORDED"]').click();
    const top = page.locator('form[data-event-form="TOP_RECORDED"]');
    await top.locator('button[type=submit]').click();
    await expect.poll(() => top.locator('.error-text').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => top.locator('#ev-top_recorded-top-qualityOfLife-error').textContent()).toBe('This is required');
    // The TOP starts empty and the summary names each missing answer, linked to its field.
    const missing = top.locator('.error-summary');
    expect(await missing.textContent()).toContain('Alcohol: answer this question');
    await missing.getByRole('link', { name: 'Quality of life (0 poor – 20 good): answer this question' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ev-top_recorded-top-qualityOfLife');
    await top.locator('#ev-top_recorded-top-substanceDays-alcohol').fill('40');
    await fillTop(top, 'ev-top_recorded-top');
    await top.locator('button[type=submit]').click();
    await expect.poll(() => top.locator('#ev-top_recorded-top-substanceDays-alcohol-error').textContent()).toMatch(/0–28/);
    await top.locator('#ev-top_recorded-top-substanceDays-alcohol').fill('20');
    await screenshot(page, 'keyworker-top-form');
    expect(await unlabelledControls(page)).toEqual([]);
    await top.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('case-notice').textContent()).toMatch(/TOP outcomes: saved/);

    // Discharge with a successful reason and an exit TOP: on to recovery check-ups.
    await act(
      page,
      'DISCHARGED',
      async (f) => {
        await f.getByLabel('Reason').selectOption('completed_drug_free');
        await f.getByLabel(/Include exit top/i).check();
        await f.locator('#ev-discharged-exitTop-kind').selectOption('exit');
        await fillTop(f, 'ev-discharged-exitTop');
      },
      /Recovery check-ups/,
    );

    // Relapse: rapid re-entry restores the package and skips screening and assessment.
    await act(page, 'RELAPSE_REPORTED', async () => {}, /Rapid re-entry/);
    await act(page, 'REENTRY_CONFIRMED', async () => {}, /Care planning/);
    await expect.poll(() => page.locator('[data-testid=care-package] tbody tr').count()).toBe(2);
    // The timeline is refetched after the change: wait for the last event to arrive in it.
    const timeline = () => page.locator('[data-testid=timeline] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    await expect.poll(timeline, { timeout: 10_000 }).toEqual(expect.arrayContaining(['SCREENING_STARTED', 'CARE_PLAN_AGREED', 'DISCHARGED', 'RELAPSE_REPORTED', 'REENTRY_CONFIRMED']));
    await screenshot(page, 'keyworker-case');
    expect(errors).toEqual([]);
    expect(caseId).toBeTruthy();
  });

  it('signs in and out with the keyboard alone', { timeout: 60_000 }, async () => {
    const { page } = await world.newPage();
    await page.goto(`${world.url}/`);
    // Focus starts in the email field; Tab moves to the password, Enter submits.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email');
    await page.keyboard.type('keyworker@northbridge.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong password');
    await page.keyboard.press('Enter');
    // A wrong password is explained in words, never as a raw error.
    await expect.poll(() => page.locator('.problem').textContent()).toMatch(/email or password is wrong/i);
    await page.locator('#password').fill('');
    await page.locator('#password').focus();
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in-user').waitFor();
    // After navigation focus moves to the page heading, so screen readers announce it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Shift+Tab');
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('pathways.session'))).toBeNull();
  });

  it('explains a version conflict and shows the latest journey', async () => {
    const { caseId, person, keyworkerToken } = await openReferredJourney(world.url);
    const { page } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
    const before = Number(await page.locator('[data-case-version]').getAttribute('data-case-version'));

    await page.locator('button[data-action="SCREENING_STARTED"]').click();
    await page.locator('form[data-event-form="SCREENING_STARTED"]').waitFor();
    // Meanwhile a colleague moves the journey on.
    await apiAs(world.url, keyworkerToken, 'POST', `/cases/${caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: before });
    await expect.poll(() => page.locator('[data-case-version]').getAttribute('data-case-version'), { timeout: 10_000 }).toBe(String(before + 1));
    // The open form is told at once that the journey moved under it.
    await expect.poll(() => page.getByTestId('case-notice').textContent()).toMatch(/Someone else has just updated this journey/);
    await page.locator('form[data-event-form="SCREENING_STARTED"] button[type=submit]').click();
    await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toMatch(/Someone else changed this journey|no longer allowed/);
    await expect.poll(() => page.getByTestId('case-stage').textContent()).toMatch(/Screening/);
    await screenshot(page, 'keyworker-conflict');
  });

  it("reads the keyworker's own save as saved when its live change comes before the answer", async () => {
    const { caseId, person, keyworkerToken } = await openReferredJourney(world.url);
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
    const before = Number(await page.locator('[data-case-version]').getAttribute('data-case-version'));

    // The save reaches the server at once, but its answer is held back (as on a busy
    // machine) until the live change the save caused has refreshed the page.
    const events = `**/api/v1/cases/${caseId}/events`;
    let answer = () => {};
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route(events, async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    await page.locator('button[data-action="SCREENING_STARTED"]').click();
    await page.locator('form[data-event-form="SCREENING_STARTED"] button[type=submit]').click();
    await expect.poll(() => page.locator('[data-case-version]').getAttribute('data-case-version'), { timeout: 10_000 }).toBe(String(before + 1));
    // Only the live change can have refreshed the page: it was the user's own, not someone else's.
    expect(await page.getByTestId('case-notice').count()).toBe(0);
    answer();
    await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toMatch(/^Start screening: saved\./);
    await page.unroute(events);

    // With the next form open, a colleague's change is still someone else's.
    await page.locator('button[data-action="SCREENING_COMPLETED"]').click();
    await page.locator('form[data-event-form="SCREENING_COMPLETED"]').waitFor();
    await apiAs(world.url, keyworkerToken, 'POST', `/cases/${caseId}/events`, { type: 'SCREENING_COMPLETED', outcome: 'assess', expectedVersion: before + 1 });
    await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toMatch(/Someone else has just updated this journey/);
    expect(errors).toEqual([]);
  });

  it("reads the keyworker's own save as saved when its live change comes after the answer, with a form open again", async () => {
    const { caseId, person } = await openReferredJourney(world.url);
    const { page, errors } = await world.newPage();
    // The live socket passes through the test, which can hold back the server's case.changed.
    let holding = false;
    const heldFrames: Array<() => void> = [];
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (holding && typeof message === 'string' && message.includes('"case.changed"')) heldFrames.push(() => ws.send(message));
        else ws.send(message);
      });
    });
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
    const timeline = () => page.locator('[data-testid=timeline] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    await expect.poll(timeline).not.toEqual([]);

    // The save is answered, but its live change is late and the journey's refetch slow.
    holding = true;
    const journeyUrl = `**/api/v1/cases/${caseId}`;
    let refetched = () => {};
    const slow = new Promise<void>((resolve) => {
      refetched = resolve;
    });
    await page.route(journeyUrl, async (route) => {
      await slow;
      await route.continue();
    });
    await page.locator('button[data-action="SCREENING_STARTED"]').click();
    await page.locator('form[data-event-form="SCREENING_STARTED"] button[type=submit]').click();
    await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toMatch(/^Start screening: saved\./);
    await expect.poll(timeline, { timeout: 10_000 }).toContain('SCREENING_STARTED');
    expect(heldFrames.length).toBeGreaterThan(0);

    // A form opened on the journey as still shown; then the late live change arrives. Its
    // handler refetches the timeline, which shows it has run.
    await page.locator('button[data-action="SCREENING_STARTED"]').click();
    await page.locator('form[data-event-form="SCREENING_STARTED"]').waitFor();
    const handled = page.waitForRequest((r) => r.url().endsWith(`/api/v1/cases/${caseId}/timeline`));
    holding = false;
    for (const send of heldFrames.splice(0)) send();
    await handled;
    expect(await page.getByTestId('case-notice').textContent()).toMatch(/^Start screening: saved\./);
    refetched();
    await expect.poll(() => page.getByTestId('case-stage').textContent(), { timeout: 10_000 }).toMatch(/Screening/);
    await page.unroute(journeyUrl);
    expect(errors).toEqual([]);
  });
});
