/**
 * The manager's live dashboard in a real browser, with a keyworker in a second browser
 * context at the same time: the keyworker moves a journey on and the dashboard's pathway
 * diagram changes without a reload. Also: the diagram is laid out from the machine (every
 * stage of the statechart is drawn) and the breakdown filter refetches the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathwayMachine } from '../../machines/index.ts';
import { openReferredJourney } from './journey-setup.ts';
import { screenshot, signIn, startWebWorld, unlabelledControls, type WebWorld } from './web-world.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld({ cohort: 60 });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

describe('manager dashboard', () => {
  it('changes live when a keyworker moves a journey, without a reload', { timeout: 90_000 }, async () => {
    const { caseId, person } = await openReferredJourney(world.url);

    const manager = await world.newPage();
    await signIn(manager.page, world.url, 'manager@northbridge.example');
    const mp = manager.page;
    await expect.poll(() => mp.getByRole('heading', { level: 1 }).textContent()).toBe('Pathway dashboard');
    const count = async (stage: string) => Number((await mp.getByTestId(`stage-count-${stage}`).textContent())?.replace(/[^\d]/g, '') || '0');
    await mp.getByTestId('stage-count-referred').waitFor();

    // Every top-level stage of the statechart is a box on the diagram.
    const drawn = await mp.locator('svg.diagram [data-stage]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-stage')).sort());
    expect(drawn).toEqual(Object.keys(pathwayMachine.root.states).sort());
    expect(await mp.locator('svg.diagram [data-edge]').count()).toBeGreaterThan(10);
    await mp.waitForFunction(() => document.querySelector('.live-live') !== null);

    const referredBefore = await count('referred');
    const screeningBefore = await count('screening');
    expect(referredBefore).toBeGreaterThan(0);
    await mp.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await screenshot(mp, 'manager-dashboard');

    // The keyworker, in another browser context, starts screening.
    const keyworker = await world.newPage();
    await signIn(keyworker.page, world.url, 'keyworker@northbridge.example');
    await keyworker.page.goto(`${world.url}/#/cases/${caseId}`);
    await expect.poll(() => keyworker.page.getByTestId('person-name').textContent()).toBe(person.name);
    await keyworker.page.locator('button[data-action="SCREENING_STARTED"]').click();
    await keyworker.page.locator('form[data-event-form="SCREENING_STARTED"] button[type=submit]').click();
    await expect.poll(() => keyworker.page.getByTestId('case-stage').textContent()).toMatch(/Screening/);

    await expect.poll(() => count('screening'), { timeout: 10_000 }).toBe(screeningBefore + 1);
    await expect.poll(() => count('referred'), { timeout: 10_000 }).toBe(referredBefore - 1);
    expect(await mp.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await screenshot(mp, 'manager-dashboard-after-move');
    expect(manager.errors).toEqual([]);
    expect(keyworker.errors).toEqual([]);
  });

  it('breaks the figures down by a dimension', { timeout: 60_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'manager@northbridge.example');
    await page.getByTestId('stage-count-inTreatment').waitFor();
    const all = Number((await page.getByTestId('stage-count-inTreatment').textContent())?.replace(/[^\d]/g, '') || '0');
    await page.getByLabel('Break down by').selectOption('sex');
    await page.getByLabel('Show').waitFor();
    const groups = await page.locator('#f-group option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    let sum = 0;
    for (const g of groups) {
      await page.getByLabel('Show').selectOption(g);
      await expect.poll(() => page.getByRole('heading', { name: /Where people are now/ }).textContent()).toContain(':');
      sum += Number((await page.getByTestId('stage-count-inTreatment').textContent())?.replace(/[^\d]/g, '') || '0');
    }
    expect(sum).toBe(all);
    await expect.poll(() => page.locator('svg.chart').count()).toBe(3);
    await screenshot(page, 'manager-dashboard-breakdown');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
