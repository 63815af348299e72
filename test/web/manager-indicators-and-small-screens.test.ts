/**
 * The manager's screens, in a real browser: successful completion stands beside its parts
 * C19a–c with the people above and below each line (as `GET /metrics/outcomes` counts
 * them) and what each counts; and on a 390 px phone the dashboard and the list pages,
 * long titles included, fit the screen's width (no sideways scrolling).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { wcagViolations } from './accessibility.ts';
import { apiAs, loginToken, screenshot, signIn, startWebWorld, type WebWorld } from './web-world.ts';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld({ cohort: 120 });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

const number = async (page: Page, testId: string) => Number((await page.getByTestId(testId).first().textContent())?.replace(/[^\d]/g, '') || '0');

interface Indicator {
  indicator: string;
  inTreatment: number;
  notRepresented: number;
  share: number | null;
}

/** How far the page and its widest element reach past the window, in CSS pixels (0 when everything fits). */
async function overflow(page: Page): Promise<{ page: number; widest: string }> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    let widest = '';
    let most = 0;
    for (const el of document.querySelectorAll('body *')) {
      // Inside a scroll box of its own (wide tables, the drawing) an element may be wider: the box scrolls, not the page.
      if (el.closest('.table-wrap, .diagram-wrap')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right - width > most) {
        most = r.right - width;
        const chain: string[] = [];
        for (let a: Element | null = el; a; a = a.parentElement) chain.push(`${a.tagName}.${typeof a.className === 'string' ? a.className : ''}`);
        widest = `${Math.round(most)} px past the edge: ${chain.join(' < ')}: ${(el.textContent ?? '').slice(0, 60)}`;
      }
    }
    return { page: document.documentElement.scrollWidth - width, widest };
  });
}

describe('manager screens', () => {
  it('shows C19 beside C19a–c with numerators, denominators and definitions, as the API counts them', { timeout: 120_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'manager@northbridge.example');
    await page.getByTestId('completion-indicators').waitFor();
    const token = await loginToken(world.url, 'manager@northbridge.example');
    const outcomes = await apiAs<{ successfulCompletion: { indicators: Indicator[] } }>(world.url, token, 'GET', '/metrics/outcomes');
    const indicators = outcomes.successfulCompletion.indicators;
    expect(indicators.map((i) => i.indicator)).toEqual(['C19', 'C19a', 'C19b', 'C19c']);
    expect(indicators[0]!.inTreatment).toBeGreaterThan(0);
    for (const i of indicators) {
      await expect.poll(() => number(page, `indicator-${i.indicator}-numerator`)).toBe(i.notRepresented);
      expect(await number(page, `indicator-${i.indicator}-denominator`)).toBe(i.inTreatment);
      const share = (await page.getByTestId(`indicator-${i.indicator}-share`).textContent()) ?? '';
      expect(share).toBe(i.share === null ? '—' : `${Math.round(i.share * 1000) / 10}%`);
    }
    // The headline is C19 itself, over the same period, and says what it is of.
    expect(await page.getByTestId('headline-successfulCompletion').textContent()).toBe(await page.getByTestId('indicator-C19-share').textContent());
    expect(await page.getByTestId('headline-successfulCompletion-of').textContent()).toContain(`${indicators[0]!.notRepresented.toLocaleString('en-GB')} of ${indicators[0]!.inTreatment.toLocaleString('en-GB')} people`);
    // Each part says which episodes it counts.
    expect(await page.getByTestId('indicator-C19a').textContent()).toMatch(/substance group is opiate/);
    expect(await page.getByTestId('indicator-C19b').textContent()).toMatch(/non-opiate only, non-opiate and alcohol/);
    expect(await page.getByTestId('indicator-C19c').textContent()).toMatch(/substance group is alcohol only/);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'manager-completion-indicators');
    expect(errors).toEqual([]);
  });

  it('fits the dashboard and the list pages, long titles wrapped, into a 390 px screen', { timeout: 150_000 }, async () => {
    const context = await world.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, world.url, 'manager@northbridge.example');
      await page.getByTestId('stage-count-inTreatment').waitFor();
      await page.getByTestId('completion-indicators').waitFor();
      await page.getByTestId('caseloads').waitFor();
      expect(await overflow(page)).toEqual({ page: 0, widest: '' });
      await screenshot(page, 'manager-dashboard-390');

      // A stage's list for one group of a breakdown: the longest title the lists have.
      await page.locator('#f-breakdown').selectOption('ethnicity');
      await page.locator('#f-group').waitFor();
      await expect.poll(() => page.getByTestId('stage-link-inTreatment').getAttribute('href')).toContain('group=');
      expect(await overflow(page)).toEqual({ page: 0, widest: '' });
      await page.getByTestId('stage-link-inTreatment').click();
      await page.getByTestId('figure-list-total').waitFor();
      const title = page.getByTestId('figure-list-title');
      expect(await title.textContent()).toMatch(/^Open journeys: In treatment · Ethnicity: /);
      // Wrapped onto more than one line, within the screen.
      const box = await title.evaluate((h) => ({ lines: Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight)), scroll: h.scrollWidth - h.clientWidth }));
      expect(box.scroll).toBeLessThanOrEqual(0);
      expect(box.lines).toBeGreaterThan(1);
      expect(await overflow(page)).toEqual({ page: 0, widest: '' });
      await screenshot(page, 'manager-list-390');

      await page.getByRole('link', { name: 'Back to the dashboard' }).click();
      await page.getByTestId('breach-waitingOver21Days').waitFor();
      await page.getByTestId('headline-link-referralsNotAcknowledged').click();
      await page.getByTestId('figure-list-total').waitFor();
      expect(await overflow(page)).toEqual({ page: 0, widest: '' });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
