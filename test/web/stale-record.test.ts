/**
 * Never a record other than the one addressed: moving from one journey or referral to
 * another that is still loading, or that fails, shows "loading" or the problem — never the
 * previous person's details, and never action buttons that would act on the previous record.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import { openReferredJourney } from './journey-setup.ts';
import { apiAs, signIn, startWebWorld, tokenOf, type WebWorld } from './web-world.ts';
import { wcagViolations } from './accessibility.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
}, 180_000);

afterAll(async () => {
  await world?.close();
});

describe('the record on screen', () => {
  it('is the journey addressed, while the next loads and when it fails', { timeout: 90_000 }, async () => {
    const first = await openReferredJourney(world.url);
    const second = await openReferredJourney(world.url);
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'keyworker@northbridge.example');

    await page.goto(`${world.url}/#/cases/${first.caseId}`);
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(first.person.name);
    expect(await page.locator('button[data-action]').count()).toBeGreaterThan(0);
    expect(await wcagViolations(page)).toEqual([]);

    // The second journey's answer is held back until the page has been looked at.
    let held: Route | undefined;
    const arrived = new Promise<void>((resolve) => {
      void page.route(`**/api/v1/cases/${second.caseId}`, (route) => {
        held = route;
        resolve();
      });
    });
    await page.evaluate((id) => {
      window.location.hash = `#/cases/${id}`;
    }, second.caseId);
    await arrived;
    await page.getByRole('status').filter({ hasText: 'Loading the journey' }).waitFor();
    expect(await page.getByText(first.person.name).count()).toBe(0);
    expect(await page.locator('button[data-action]').count()).toBe(0);
    await held?.continue();
    await expect.poll(() => page.getByTestId('person-name').textContent()).toBe(second.person.name);
    await page.unroute(`**/api/v1/cases/${second.caseId}`);

    // A journey that cannot be opened: its problem, and nothing of the one before.
    await page.evaluate((id) => {
      window.location.hash = `#/cases/${id}`;
    }, randomUUID());
    await page.getByRole('alert').waitFor();
    expect(await page.getByText(second.person.name).count()).toBe(0);
    expect(await page.locator('button[data-action]').count()).toBe(0);
    expect(await wcagViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('is the referral addressed, while the next loads and when it fails', { timeout: 90_000 }, async () => {
    const first = await openReferredJourney(world.url);
    const second = await openReferredJourney(world.url);
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'jobcentre@northbridge.example');
    const sent = await apiAs<{ items: { id: string; personId: string }[] }>(world.url, await tokenOf(page), 'GET', '/referrals?box=outbox&limit=100');
    const idOf = (personId: string) => sent.items.find((r) => r.personId === personId)?.id ?? '';
    const [firstId, secondId] = [idOf(first.person.id), idOf(second.person.id)];

    await page.goto(`${world.url}/#/referrals/${firstId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(first.person.name);

    let held: Route | undefined;
    const arrived = new Promise<void>((resolve) => {
      void page.route(`**/api/v1/referrals/${secondId}`, (route) => {
        held = route;
        resolve();
      });
    });
    await page.evaluate((id) => {
      window.location.hash = `#/referrals/${id}`;
    }, secondId);
    await arrived;
    await page.getByRole('status').filter({ hasText: 'Loading the referral' }).waitFor();
    expect(await page.getByText(first.person.name).count()).toBe(0);
    expect(await page.getByTestId('referral-status').count()).toBe(0);
    await held?.continue();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(second.person.name);
    await page.unroute(`**/api/v1/referrals/${secondId}`);

    await page.evaluate((id) => {
      window.location.hash = `#/referrals/${id}`;
    }, randomUUID());
    await page.getByRole('alert').waitFor();
    expect(await page.getByText(second.person.name).count()).toBe(0);
    expect(await page.getByTestId('referral-status').count()).toBe(0);
    expect(await page.locator('button[data-action]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
