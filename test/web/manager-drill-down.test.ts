/**
 * The manager's figures open onto the lists behind them, in a real browser: a headline
 * figure, a stage of the drawing and a breach each lead to a list whose total equals the
 * figure (and whose rows, page by page, are that many); the list exports as CSV; the
 * caseload panel shows each team; every page passes the accessibility check.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { wcagViolations } from './accessibility.ts';
import { screenshot, signIn, startWebWorld, type WebWorld } from './web-world.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld({ cohort: 120 });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

const number = async (page: Page, testId: string) => Number((await page.getByTestId(testId).first().textContent())?.replace(/[^\d]/g, '') || '0');

/** Rows of the list, walking every page with Next. */
async function rowsOnEveryPage(page: Page): Promise<number> {
  let rows = 0;
  for (;;) {
    await page.getByTestId('figure-list-total').waitFor();
    rows += await page.getByTestId('figure-list-row').count();
    const next = page.getByRole('button', { name: 'Next' });
    if ((await next.count()) === 0 || (await next.isDisabled())) return rows;
    const firstBefore = await page.getByTestId('figure-list-row').first().textContent();
    await next.click();
    await expect.poll(() => page.getByTestId('figure-list-row').first().textContent()).not.toBe(firstBefore);
  }
}

describe('manager drill-down', () => {
  it('opens the list behind a headline figure, a stage and a breach, each as long as its figure', { timeout: 120_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'manager@northbridge.example');
    await page.getByTestId('wip-total').waitFor();
    expect(await wcagViolations(page)).toEqual([]);

    const open = await number(page, 'wip-total');
    expect(open).toBeGreaterThan(50);
    await page.getByRole('link', { name: /Open journeys/ }).click();
    await expect.poll(() => page.getByTestId('figure-list-title').textContent()).toBe('Open journeys');
    await expect.poll(() => number(page, 'figure-list-total')).toBe(open);
    expect(await rowsOnEveryPage(page)).toBe(open);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'manager-list-open-journeys');

    // Export: the whole list, its definition first.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await (await download).path();
    const lines = (await readFile(file, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toMatch(/^"?Definition: /);
    expect(lines.length - 2).toBe(open);

    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByTestId('stage-count-inTreatment').waitFor();
    const inTreatment = await number(page, 'stage-count-inTreatment');
    await page.getByTestId('stage-link-inTreatment').click();
    await expect.poll(() => page.getByTestId('figure-list-title').textContent()).toBe('Open journeys: In treatment');
    await expect.poll(() => number(page, 'figure-list-total')).toBe(inTreatment);
    expect(await rowsOnEveryPage(page)).toBe(inTreatment);

    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByTestId('breach-waitingOver21Days').waitFor();
    const waiting = await number(page, 'breach-waitingOver21Days');
    if (waiting > 0) {
      await page.getByTestId('breach-waitingOver21Days').getByRole('link').click();
      await expect.poll(() => number(page, 'figure-list-total')).toBe(waiting);
      expect(await rowsOnEveryPage(page)).toBe(waiting);
      await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    }
    await page.getByTestId('caseloads').waitFor();
    expect(await page.getByTestId('caseloads').locator('tr.group-row').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
