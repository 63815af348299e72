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

    // A stage of one breakdown group opens that group's list, as long as the group's figure.
    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.locator('#f-breakdown').selectOption('sex');
    await page.locator('#f-group').waitFor();
    const groupValue = await page.locator('#f-group').inputValue();
    await expect.poll(() => page.getByTestId('stage-link-inTreatment').getAttribute('href')).toContain(`group=${encodeURIComponent(groupValue)}`);
    // The group's figures replace everyone's once the broken-down measures arrive.
    await expect.poll(() => number(page, 'stage-count-inTreatment')).toBeLessThan(inTreatment);
    const inTreatmentOfGroup = await number(page, 'stage-count-inTreatment');
    await page.getByTestId('stage-link-inTreatment').click();
    await expect.poll(() => page.getByTestId('figure-list-title').textContent()).toMatch(/^Open journeys: In treatment · Sex: /);
    await expect.poll(() => number(page, 'figure-list-total')).toBe(inTreatmentOfGroup);
    expect(await rowsOnEveryPage(page)).toBe(inTreatmentOfGroup);

    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByTestId('breach-waitingOver21Days').waitFor();
    const waiting = await number(page, 'breach-waitingOver21Days');
    if (waiting > 0) {
      await page.getByTestId('breach-waitingOver21Days').getByRole('link').click();
      await expect.poll(() => number(page, 'figure-list-total')).toBe(waiting);
      expect(await rowsOnEveryPage(page)).toBe(waiting);
      await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    }
    // The drawing at 1,280 px: whole, no label under 12 px, nothing crossing the main path.
    await page.getByTestId('stage-count-referred').waitFor();
    const drawing = await page.evaluate(() => {
      const svg = document.querySelector<SVGSVGElement>('svg.diagram')!;
      const wrap = svg.parentElement!;
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const sizes = [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
      const pointsOf = (el: Element) =>
        (el.getAttribute('points') ?? '')
          .trim()
          .split(/\s+/)
          .map((p) => p.split(',').map(Number) as [number, number]);
      const main = [...svg.querySelectorAll('[data-kind="main"] polyline')].map(pointsOf);
      const others = [...svg.querySelectorAll('[data-kind]:not([data-kind="main"]) polyline')].map(pointsOf);
      return { smallest: Math.min(...sizes), overflow: wrap.scrollWidth - wrap.clientWidth, main, others, viewport: window.innerWidth };
    });
    expect(drawing.viewport).toBe(1280);
    expect(drawing.smallest).toBeGreaterThanOrEqual(12);
    expect(drawing.overflow).toBeLessThanOrEqual(0);
    expect(drawing.main).toHaveLength(5);
    const o = (p: number[], q: number[], r: number[]) => Math.sign((q[0]! - p[0]!) * (r[1]! - p[1]!) - (q[1]! - p[1]!) * (r[0]! - p[0]!));
    for (const line of drawing.others) {
      for (let i = 1; i < line.length; i++) {
        for (const [a, b] of drawing.main) {
          const [c, d] = [line[i - 1]!, line[i]!];
          expect(o(a!, b!, c) * o(a!, b!, d) < 0 && o(c, d, a!) * o(c, d, b!) < 0).toBe(false);
        }
      }
    }
    await screenshot(page, 'manager-pathway-lanes');
    await page.getByTestId('caseloads').waitFor();
    expect(await page.getByTestId('caseloads').locator('tr.group-row').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('draws trends with denominators, the running month marked, and groups side by side in words', { timeout: 90_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'manager@northbridge.example');
    await page.locator('svg.chart').first().waitFor();
    // The latest complete month with what it is of; the running month marked "so far".
    await expect.poll(() => page.getByTestId('chart-waiting-latest').textContent()).toMatch(/: [\d.]+% \([\d,]+ of [\d,]+\)$/);
    expect(await page.locator('svg.chart').first().textContent()).toContain('so far');
    await page.getByLabel('Break down by').selectOption('age_band');
    await expect.poll(() => page.locator('svg[data-chart="chart-completion"] [data-series]').count()).toBeGreaterThan(1);
    const names = await page.locator('svg[data-chart="chart-completion"] [data-series]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series') ?? ''));
    for (const n of names) expect(n).toMatch(/^(Under 18|\d+ to \d+|\d+ and over|Not recorded)$/);
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'manager-trends-by-age');
    expect(errors).toEqual([]);
  });
});
