/**
 * A keyworker's main job in a real browser: the caseload with what is due first, then one
 * journey moved from referral through screening, assessment, a care package, treatment,
 * a TOP, a successful discharge, relapse and rapid re-entry — every step through the
 * buttons the API's allowedEvents produce and the forms built from the shared schemas —
 * a version conflict explained, and the keyworker's own save — of a step, an appointment
 * or a contact entry — never taken for someone else's change however its live echo and
 * its answer interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../seeds/demo-area.ts';
import { openReferredJourney } from './journey-setup.ts';
import { apiAs, loginToken, screenshot, signIn, startWebWorld, unlabelledControls, type WebWorld } from './web-world.ts';

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

/**
 * Passes the page's live socket through the test, which can hold back the server's
 * `case.changed` frames about one journey and send them on later.
 */
async function holdLiveChanges(page: Page, caseId: string) {
  let holding = false;
  const held: Array<() => void> = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (holding && typeof message === 'string' && message.includes('"case.changed"') && message.includes(caseId)) held.push(() => ws.send(message));
      else ws.send(message);
    });
  });
  return {
    hold: () => {
      holding = true;
    },
    /** How many frames are held. */
    held: () => held.length,
    release: () => {
      holding = false;
      for (const send of held.splice(0)) send();
    },
  };
}

/**
 * A referred journey on the keyworker's page with the Start screening form open, and a
 * manager's token for a colleague's change; the page's live frames about the journey can be
 * held back (`holdLiveChanges`).
 */
async function journeyWithFormOpen() {
  const { caseId, person } = await openReferredJourney(world.url);
  const manager = await loginToken(world.url, 'manager@northbridge.example');
  const { page, errors } = await world.newPage();
  const live = await holdLiveChanges(page, caseId);
  await signIn(page, world.url, 'keyworker@northbridge.example');
  await page.goto(`${world.url}/#/cases/${caseId}`);
  await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
  const version = () => page.locator('[data-case-version]').getAttribute('data-case-version');
  const before = Number(await version());
  await page.locator('button[data-action="SCREENING_STARTED"]').click();
  const form = page.locator('form[data-event-form="SCREENING_STARTED"]');
  await form.waitFor();
  return { caseId, manager, page, errors, live, version, before, form };
}

/**
 * Ends a test of `journeyWithFormOpen`: the form is still open, a colleague's booking is
 * told as someone else's change, and the page logged no error.
 */
async function colleagueBookingIsSomeoneElses({ caseId, manager, page, errors, form }: Awaited<ReturnType<typeof journeyWithFormOpen>>) {
  expect(await form.isVisible()).toBe(true);
  await apiAs(world.url, manager, 'POST', `/cases/${caseId}/appointments`, { kind: 'group', startsAt: new Date().toISOString() });
  await expect.poll(() => page.getByTestId('case-notice').textContent(), { timeout: 10_000 }).toMatch(/Someone else has just updated this journey/);
  expect(errors).toEqual([]);
}

/**
 * Holds the page's requests to `url`, all of them or those after the first `pass`, until
 * `release` (then `page.unroute(url)` once they have been answered).
 */
async function holdRequests(page: Page, url: string, pass = 0) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let seen = 0;
  await page.route(url, async (route) => {
    seen += 1;
    if (seen > pass) await released;
    await route.continue();
  });
  return { held: () => Math.max(0, seen - pass), release };
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

  it("refreshes the journey on screen when another journey's live change follows its own within the moment", async () => {
    const shown = await openReferredJourney(world.url);
    const other = await openReferredJourney(world.url);
    const { page } = await world.newPage();
    // Both journeys' `case.changed` frames are held, then sent on together, this journey's first.
    let holding = false;
    const held: string[] = [];
    let send: (message: string) => void = () => {};
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      send = (message) => ws.send(message);
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (holding && typeof message === 'string' && message.includes('"case.changed"')) held.push(message);
        else ws.send(message);
      });
    });
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/cases/${shown.caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(shown.person.name);
    const before = Number(await page.locator('[data-case-version]').getAttribute('data-case-version'));

    holding = true;
    await apiAs(world.url, shown.keyworkerToken, 'POST', `/cases/${shown.caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: before });
    const otherVersion = (await apiAs<{ version: number }>(world.url, other.keyworkerToken, 'GET', `/cases/${other.caseId}`)).version;
    await apiAs(world.url, other.keyworkerToken, 'POST', `/cases/${other.caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: otherVersion });
    const frames = (id: string) => held.filter((m) => m.includes(id)).length;
    await expect.poll(() => frames(shown.caseId) > 0 && frames(other.caseId) > 0, { timeout: 10_000 }).toBe(true);
    holding = false;
    for (const message of [...held.filter((m) => m.includes(shown.caseId)), ...held.filter((m) => !m.includes(shown.caseId))]) send(message);

    await expect.poll(() => page.locator('[data-case-version]').getAttribute('data-case-version'), { timeout: 10_000 }).toBe(String(before + 1));
    await expect.poll(() => page.getByTestId('case-stage').textContent()).toMatch(/Screening/);
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
    const live = await holdLiveChanges(page, caseId);
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
    const timeline = () => page.locator('[data-testid=timeline] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    await expect.poll(timeline).not.toEqual([]);

    // The save is answered, but its live change is late and the journey's refetch slow.
    live.hold();
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
    expect(live.held()).toBeGreaterThan(0);

    // A form opened on the journey as still shown; then the late live change arrives. Its
    // handler refetches the timeline, which shows it has run.
    await page.locator('button[data-action="SCREENING_STARTED"]').click();
    await page.locator('form[data-event-form="SCREENING_STARTED"]').waitFor();
    const handled = page.waitForRequest((r) => r.url().endsWith(`/api/v1/cases/${caseId}/timeline`));
    live.release();
    await handled;
    expect(await page.getByTestId('case-notice').textContent()).toMatch(/^Start screening: saved\./);
    refetched();
    await expect.poll(() => page.getByTestId('case-stage').textContent(), { timeout: 10_000 }).toMatch(/Screening/);
    await page.unroute(journeyUrl);
    expect(errors).toEqual([]);
  });

  it("reads an appointment booked and attended beside an open form as the keyworker's own when its live change comes after the answer", async () => {
    const opened = await journeyWithFormOpen();
    const { caseId, page, live, version, before } = opened;
    const journeyUrl = `**/api/v1/cases/${caseId}`;
    const timelineAsked = () => page.waitForRequest((r) => r.url().endsWith(`/api/v1/cases/${caseId}/timeline`));

    // The booking is answered; its live change is late, and every read of the journey slow.
    live.hold();
    let reads = await holdRequests(page, journeyUrl);
    await page.getByRole('button', { name: 'Book an appointment' }).click();
    const book = page.locator('form[data-keywork-form="book-appointment"]');
    await book.getByLabel('Kind of appointment').selectOption('keywork');
    await book.getByLabel('Time (UK time)').fill('00:05');
    const booked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cases/${caseId}/appointments`) && r.request().method() === 'POST');
    await book.getByRole('button', { name: 'Book appointment' }).click();
    expect((await booked).status()).toBe(201);
    await expect.poll(live.held, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(reads.held, { timeout: 10_000 }).toBeGreaterThan(0);
    // The live change arrives with the journey on screen still the old one: the handler
    // refetches the timeline, which shows it has run.
    let handled = timelineAsked();
    live.release();
    await handled;
    expect(await page.getByTestId('case-notice').count()).toBe(0);
    reads.release();
    await expect.poll(() => page.getByTestId('appointments-notice').textContent(), { timeout: 10_000 }).toMatch(/booked for/);
    await expect.poll(version, { timeout: 10_000 }).toBe(String(before + 1));
    await page.unroute(journeyUrl);
    expect(await page.getByTestId('case-notice').count()).toBe(0);

    // Attended: the page has read the journey after the answer, but the refresh of the
    // journey on screen is slow and the live change comes after both.
    live.hold();
    reads = await holdRequests(page, journeyUrl, 1);
    await page.getByTestId('appointments').getByRole('button', { name: 'Attended' }).click();
    await page.locator('form[data-keywork-form="settle-attended"]').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('appointments-notice').textContent(), { timeout: 10_000 }).toMatch(/attended — saved/);
    await expect.poll(live.held, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await version()).toBe(String(before + 1));
    handled = timelineAsked();
    live.release();
    await handled;
    expect(await page.getByTestId('case-notice').count()).toBe(0);
    reads.release();
    await expect.poll(version, { timeout: 10_000 }).toBe(String(before + 2));
    await page.unroute(journeyUrl);
    expect(await page.getByTestId('case-notice').count()).toBe(0);

    await colleagueBookingIsSomeoneElses(opened);
  });

  it("reads a contact entry recorded beside an open form as the keyworker's own when its live change comes before the answer", async () => {
    const opened = await journeyWithFormOpen();
    const { caseId, page, version, before } = opened;

    // The entry reaches the server at once; its answer is held until the live change it
    // caused has refreshed the page.
    const contactsUrl = `**/api/v1/cases/${caseId}/contacts`;
    let answer = () => {};
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route(contactsUrl, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: 'Record a contact' }).click();
    const entry = page.locator('form[data-keywork-form="record-contact"]');
    await entry.getByLabel('How').selectOption('phone');
    await entry.getByLabel('What was said or done').fill('Phoned to arrange screening.');
    await entry.getByRole('button', { name: 'Save entry' }).click();
    await expect.poll(version, { timeout: 10_000 }).toBe(String(before + 1));
    // Only the live change can have refreshed the page: it was the user's own, not someone else's.
    expect(await page.getByTestId('case-notice').count()).toBe(0);
    answer();
    await expect.poll(() => page.getByTestId('contacts-notice').textContent(), { timeout: 10_000 }).toMatch(/^Phone call on .* recorded\./);
    await page.unroute(contactsUrl);
    expect(await page.getByTestId('case-notice').count()).toBe(0);

    await colleagueBookingIsSomeoneElses(opened);
  });
});
