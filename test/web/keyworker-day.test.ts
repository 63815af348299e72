/**
 * A keyworker's day and a partner's, in a real browser against the real server:
 * my day → an appointment → did not attend → the follow-up task done → a contact note (the
 * error summary first) → the case review the third miss called for; a Jobcentre Plus work
 * coach's referral accepted from the inbox, assigned from the team queue, and attendance
 * reported back live to the coach; and no horizontal scroll at 390 px on the caseload, the
 * case, the inbox, my day and a person page (its consents table). axe-core finds no
 * WCAG 2.2 A/AA violation on each page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_AGENCY_IDS } from '../../seeds/demo-area.ts';
import { addPerson, demoUserId, openReferredJourney } from './journey-setup.ts';
import { apiAs, loginToken, screenshot, signIn, startWebWorld, type WebWorld } from './web-world.ts';
import { wcagViolations } from './accessibility.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld({ cohort: 30 });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

/** Today's date in London, as the app's day runs. */
function londonToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The UTC instant of a London time today (00:00–00:59 London is never in the future once the day has begun). */
function londonTodayAt(minute: number): string {
  const date = londonToday();
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  const londonHourAtUtcMidnight = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' }).format(utcMidnight));
  return new Date(utcMidnight.getTime() - londonHourAtUtcMidnight * 3_600_000 + minute * 60_000).toISOString();
}

async function noViolations(page: Page, where: string) {
  expect(await wcagViolations(page), where).toEqual([]);
}

describe('a keyworker’s day', () => {
  it('walks my day → appointment → did not attend → follow-up → contact note → case review', { timeout: 150_000 }, async () => {
    const { caseId, person, keyworkerToken } = await openReferredJourney(world.url);
    // Two misses already this month, and today's appointment at the start of the day.
    for (const minute of [0, 1]) {
      const a = await apiAs<{ id: string }>(world.url, keyworkerToken, 'POST', `/cases/${caseId}/appointments`, { kind: 'keywork', startsAt: londonTodayAt(minute) });
      await apiAs(world.url, keyworkerToken, 'POST', `/appointments/${a.id}/events`, { type: 'APPOINTMENT_MISSED' });
    }
    const today = await apiAs<{ id: string }>(world.url, keyworkerToken, 'POST', `/cases/${caseId}/appointments`, { kind: 'prescribing_review', startsAt: londonTodayAt(2), withWhom: 'Dr Patel' });

    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.getByRole('link', { name: 'My day' }).click();
    await page.getByTestId('my-day').waitFor();
    const todays = page.locator(`[data-appointment="${today.id}"]`);
    await expect.poll(() => todays.textContent()).toContain(person.name);
    await noViolations(page, 'my day');
    await screenshot(page, 'keyworker-my-day');

    // The appointment → the case, where it did not happen.
    await todays.getByRole('link', { name: person.name }).click();
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(person.name);
    expect(await page.getByText(/Version \d+/).count()).toBe(0);
    // One next step, the rest grouped.
    expect(await page.locator('[data-testid=case-actions] button[data-primary=true]').allTextContents()).toEqual(['Start screening']);
    const row = page.locator(`[data-appointment="${today.id}"]`);
    await row.getByRole('button', { name: 'Did not attend' }).click();
    await page.locator('form[data-keywork-form="settle-missed"]').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('appointments-notice').textContent()).toMatch(/did not attend — saved/);
    // Focus is on the result, not the top of the page.
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/did not attend/);
    await expect.poll(() => row.getAttribute('data-status')).toBe('did_not_attend');
    await noViolations(page, 'case page');

    // The follow-up: in my day, done with one click (who and when are kept).
    await page.getByRole('link', { name: 'My day' }).click();
    const tasks = page.getByTestId('my-tasks');
    await expect.poll(() => tasks.textContent()).toContain('Follow up a missed appointment');
    const followUp = page.locator(`[data-task="dna-${today.id}"]`);
    await followUp.getByRole('button', { name: 'Mark as done' }).click();
    await expect.poll(() => page.getByTestId('my-day-notice').textContent()).toMatch(/done/);
    await expect.poll(() => followUp.count()).toBe(0);
    const done = await world.store.db.selectFrom('tasks').select(['done_by', 'done_at', 'status']).where('id', '=', `dna-${today.id}`).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', done_by: demoUserId('keyworker@northbridge.example') });

    // A contact note: the error summary names each field and links to it.
    await page.goto(`${world.url}/#/cases/${caseId}`);
    await page.getByRole('button', { name: 'Record a contact' }).click();
    const form = page.locator('form[data-keywork-form="record-contact"]');
    await form.getByRole('button', { name: 'Save entry' }).click();
    const summary = form.locator('.error-summary');
    await expect.poll(() => summary.textContent()).toContain('Choose how the contact was made');
    expect(await summary.textContent()).toContain('Enter what was said or done');
    await summary.getByRole('link', { name: 'Enter what was said or done' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('contact-summary');
    await noViolations(page, 'contact form with errors');
    await form.getByLabel('How').selectOption('phone');
    await form.getByLabel('What was said or done').fill('Phoned after the missed review; rebooked for Thursday.');
    await form.getByRole('button', { name: 'Save entry' }).click();
    await expect.poll(() => page.getByTestId('contacts-notice').textContent()).toMatch(/Phone call on .* recorded/);
    await expect.poll(() => page.getByTestId('contacts').textContent()).toContain('rebooked for Thursday');
    // The author is a name, not an id.
    expect(await page.getByTestId('contacts').textContent()).toMatch(/you, /);
    // The timeline says what happened in words, with which appointment and who.
    const timeline = page.getByTestId('timeline');
    const missed = timeline.locator('li[data-event-type="APPOINTMENT_MISSED"]').filter({ hasText: 'Prescribing review' });
    await expect.poll(() => missed.locator('strong').textContent()).toBe('Did not attend');
    expect(await missed.locator('.payload').textContent()).toMatch(/^Prescribing review, \d+ \w+ \d{4}, \d\d:\d\d · with Dr Patel$/);
    await expect.poll(() => timeline.locator('li[data-event-type="TASK_COMPLETED"] .payload').first().textContent()).toMatch(/^Follow up a missed appointment · for the prescribing review/);
    expect(await timeline.locator('li[data-event-type="CONTACT_RECORDED"] .payload').first().textContent()).toMatch(/^Phone call on .* · Treatment progress · “Phoned after the missed review; rebooked for Thursday.”$/);
    expect(await timeline.textContent()).not.toMatch(/Appointment missed|Contact recorded\s*$|[{}]/);

    // The third miss in 28 days called a case review: done from my day.
    await page.getByRole('link', { name: 'My day' }).click();
    const review = page.locator(`[data-task="review-${today.id}"]`);
    await expect.poll(() => review.textContent()).toContain('Case review after missed appointments');
    await review.getByRole('button', { name: 'Mark as done' }).click();
    await expect.poll(() => review.count()).toBe(0);
    await screenshot(page, 'keyworker-my-day-done');
    expect(errors).toEqual([]);
  });

  it('works a partner’s referral: inbox → accept → team queue → attendance reported back live', { timeout: 150_000 }, async () => {
    const jcpToken = await loginToken(world.url, 'jobcentre@northbridge.example');
    const person = await addPerson(world.url, jcpToken);
    await apiAs(world.url, jcpToken, 'POST', `/people/${person.id}/consents`, {
      toAgencyId: DEMO_AGENCY_IDS.recovery,
      categories: ['identity', 'contact', 'substance_use', 'treatment_progress'],
      purpose: 'Voluntary discussion with the treatment provider (TPR1)',
    });
    // TPR2: the claimant agrees that attendance goes back to this office.
    await apiAs(world.url, jcpToken, 'POST', `/people/${person.id}/consents`, { toAgencyId: DEMO_AGENCY_IDS.jobcentre, categories: ['treatment_progress'], purpose: 'Attendance reported back (TPR2)' });
    const referral = await apiAs<{ id: string }>(world.url, jcpToken, 'POST', '/referrals', { personId: person.id, toAgencyId: DEMO_AGENCY_IDS.recovery, kind: 'treatment', reason: 'Claimant asked for help with drinking', urgency: 'routine' });

    const coach = await world.newPage();
    await signIn(coach.page, world.url, 'jobcentre@northbridge.example');
    await coach.page.goto(`${world.url}/#/referrals/${referral.id}`);
    await expect.poll(() => coach.page.getByTestId('attendance').textContent()).toContain('Nothing reported yet');

    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');
    await page.goto(`${world.url}/#/referrals?box=inbox`);
    await noViolations(page, 'inbox');
    await page.getByRole('link', { name: person.name }).first().click();
    await page.locator('button[data-action="REFERRAL_ACCEPTED"]').click();
    await page.locator('form[data-event-form="REFERRAL_ACCEPTED"] button[type=submit]').click();
    await expect.poll(() => page.getByTestId('referral-status').textContent()).toBe('Accepted');
    await noViolations(page, 'referral page');

    // The new journey waits in the team queue; caseload sizes stand beside the names.
    await page.getByRole('link', { name: 'Team queue' }).click();
    await page.getByTestId('team-queue').waitFor();
    const waiting = page.locator('[data-queue-case]').filter({ hasText: person.name });
    await expect.poll(() => waiting.count()).toBe(1);
    const choice = waiting.getByLabel('Keyworker');
    const label = await choice.locator('option').filter({ hasText: /on caseload/ }).first().textContent();
    expect(label).toMatch(/\(\d+ on caseload\)/);
    await noViolations(page, 'team queue');
    await choice.selectOption(demoUserId('keyworker@northbridge.example'));
    await waiting.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.getByTestId('team-queue-notice').textContent()).toContain(person.name);
    await expect.poll(() => waiting.count()).toBe(0);

    // Book and hold a three-way meeting; the coach sees the attendance without reloading.
    await page.getByRole('link', { name: 'My caseload' }).click();
    await page.getByRole('link', { name: person.name }).first().click();
    await page.getByRole('button', { name: 'Book an appointment' }).click();
    const book = page.locator('form[data-keywork-form="book-appointment"]');
    await book.getByRole('button', { name: 'Book appointment' }).click();
    await expect.poll(() => book.locator('.error-summary').textContent()).toContain('Choose the kind of appointment');
    await book.getByLabel('Kind of appointment').selectOption('three_way_jobcentre');
    await book.getByLabel('Time (UK time)').fill('00:05');
    await book.getByLabel(/With whom/).fill('Work coach at Northbridge Jobcentre');
    await book.getByRole('button', { name: 'Book appointment' }).click();
    await expect.poll(() => page.getByTestId('appointments-notice').textContent()).toMatch(/booked for/);
    await page.getByTestId('appointments').getByRole('button', { name: 'Attended' }).click();
    await page.locator('form[data-keywork-form="settle-attended"]').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('appointments-notice').textContent()).toMatch(/attended — saved/);

    await expect.poll(() => coach.page.locator('[data-testid=attendance] [data-report]').getAttribute('data-report'), { timeout: 10_000 }).toBe('attended');
    expect(await coach.page.getByTestId('attendance').textContent()).toContain('Three-way meeting with Jobcentre Plus');
    await noViolations(coach.page, 'sent referral with attendance');
    await screenshot(coach.page, 'partner-attendance-reported');
    expect(errors).toEqual([]);
    expect(coach.errors).toEqual([]);
  });

  it("fits a 390 px phone on the caseload, the case, the inbox, my day and a person's consents", { timeout: 120_000 }, async () => {
    const { caseId, person } = await openReferredJourney(world.url);
    const context = await world.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'Europe/London', isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, world.url, 'keyworker@northbridge.example');
    const pages: Array<[string, string, string]> = [
      ['caseload', '/caseload', '[data-testid=caseload]'],
      ['case', `/cases/${caseId}`, '[data-testid=appointments]'],
      ['inbox', '/referrals?box=inbox', 'h1'],
      ['my day', '/my-day', '[data-testid=my-day]'],
      ['person', `/people/${person.id}`, '[data-testid=consents]'],
    ];
    for (const [name, path, ready] of pages) {
      await page.goto(`${world.url}/#${path}`);
      await page.locator(ready).first().waitFor();
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: window.innerWidth }));
      // Against 390 itself too: a phone's browser may widen its layout to fit what overflows.
      expect(widths.scroll, `${name} is ${widths.scroll} px wide at 390 px`).toBeLessThanOrEqual(Math.min(widths.view, 390));
      await noViolations(page, `${name} at 390 px`);
      await screenshot(page, `phone-${name.replace(' ', '-')}`);
    }
    await context.close();
  });
});
