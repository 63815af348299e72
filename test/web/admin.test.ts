/**
 * An administrator in a real browser: adds an agency (the error summary first), corrects
 * its name, adds a staff member who can then sign in, changes their role and deactivates
 * them, after which they cannot sign in; the follow-up rules in force are shown read-only.
 * axe-core finds no WCAG 2.2 A/AA violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startWebWorld, type WebWorld } from './web-world.ts';
import { wcagViolations } from './accessibility.ts';

let world: WebWorld;

beforeAll(async () => {
  // Follow-up rules set as a service would set them (PATHWAYS_FOLLOW_UP_* in the environment).
  world = await startWebWorld({ start: { followUp: { followUpWorkingDays: 3, reviewAfterMissed: 4, missedWindowDays: 30 } } });
}, 180_000);

afterAll(async () => {
  await world?.close();
});

async function canSignIn(email: string, password: string): Promise<boolean> {
  const res = await fetch(`${world.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return res.ok;
}

describe('an administrator', () => {
  it('creates, corrects and deactivates agencies and staff', { timeout: 120_000 }, async () => {
    const { page, errors } = await world.newPage();
    await signIn(page, world.url, 'admin@northbridge.example');
    await page.getByTestId('admin').waitFor();
    // The follow-up rules in force, read-only, in words.
    const rules = page.getByTestId('follow-up-rules');
    await expect.poll(() => rules.locator('[data-rule="follow-up"]').textContent()).toBe('Re-engage within 3 working days (a follow-up task for the keyworker)');
    expect(await rules.locator('[data-rule="case-review"]').textContent()).toBe('After 4 missed appointments in 30 days');
    expect(await rules.locator('input, select, textarea, button').count()).toBe(0);
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add an agency' }).click();
    const add = page.locator('form[data-admin-form="add-agency"]');
    await add.getByRole('button', { name: 'Add agency' }).click();
    const summary = add.locator('.error-summary');
    await expect.poll(() => summary.textContent()).toContain('Choose the kind of agency');
    expect(await summary.textContent()).toContain('Name:');
    expect(await wcagViolations(page)).toEqual([]);
    const name = `Northbridge Women’s Centre ${Date.now().toString(36)}`;
    await add.getByLabel('Name').fill(name);
    await add.getByLabel('Kind of agency').selectOption('mental_health');
    await add.getByRole('button', { name: 'Add agency' }).click();
    await expect.poll(() => page.getByTestId('admin-notice').textContent()).toBe(`${name} added.`);

    const panel = page.locator('[data-agency]').filter({ has: page.getByRole('heading', { name: new RegExp(name) }) });
    await panel.getByRole('button', { name: /Correct details/ }).click();
    await panel.getByLabel('Name').fill(`${name} (Eastside)`);
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('admin-notice').textContent()).toBe(`${name} (Eastside) saved.`);

    const renamed = page.locator('[data-agency]').filter({ has: page.getByRole('heading', { name: /Eastside/ }) });
    await renamed.getByRole('button', { name: /Add staff/ }).click();
    const staff = renamed.locator('form[data-admin-form="add-staff"]');
    const email = `sam.${Date.now().toString(36)}@northbridge.example`;
    await staff.getByLabel('Name').fill('Sam Okafor');
    await staff.getByLabel('Email').fill(email);
    await staff.getByLabel('Role').selectOption('referrer');
    await staff.getByLabel(/First password/).fill('short');
    await staff.getByRole('button', { name: 'Add staff member' }).click();
    await expect.poll(() => staff.locator('.error-summary').textContent()).toContain('at least 12 characters');
    await staff.getByLabel(/First password/).fill('a long enough first password');
    await staff.getByRole('button', { name: 'Add staff member' }).click();
    await expect.poll(() => page.getByTestId('admin-notice').textContent()).toMatch(/Sam Okafor can now sign in/);
    expect(await canSignIn(email, 'a long enough first password')).toBe(true);

    const row = page.locator('[data-user]').filter({ hasText: email });
    await row.getByLabel('Role of Sam Okafor').selectOption('keyworker');
    await expect.poll(() => page.getByTestId('admin-notice').textContent()).toBe('Sam Okafor is now keyworker.');
    await row.getByRole('button', { name: 'Deactivate Sam Okafor' }).click();
    await expect.poll(() => page.getByTestId('admin-notice').textContent()).toBe('Sam Okafor can no longer sign in.');
    await expect.poll(() => row.textContent()).toContain('Cannot sign in');
    expect(await canSignIn(email, 'a long enough first password')).toBe(false);
    expect(await wcagViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
