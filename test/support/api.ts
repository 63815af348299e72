/**
 * Builders for API tests: a real app over a real store and engine with a clock the test
 * moves, and helpers to make agencies, staff (signed in through the real login), people,
 * consents and TOP records. Every builder makes unique names, so tests never collide.
 */
import type { KeyworkSettings } from '../../machines/keywork-codes.ts';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Test } from 'supertest';
import { createApp, type PathwaysApp } from '../../api/app.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { createAgency, createStaff } from '../../src/agencies/agency-commands.ts';
import type { Role } from '../../src/auth/auth-user.ts';
import type { Dialect } from '../../src/db/database.ts';
import { createEngine, SYSTEM_ACTOR, type Engine } from '../../src/engine/engine.ts';
import { createTestStore, type TestStore } from './stores.ts';


/** A clock the test moves by hand. */
export interface TestClock {
  now: () => Date;
  set: (iso: string) => void;
  advanceDays: (days: number) => void;
  /** Today's date, `YYYY-MM-DD`. */
  today: () => string;
}

export function createClock(start = '2026-03-02T10:00:00.000Z'): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = new Date(iso).getTime();
    },
    advanceDays: (days) => {
      t += days * 86_400_000;
    },
    today: () => new Date(t).toISOString().slice(0, 10),
  };
}

/** A running API under test. */
export interface ApiHarness {
  store: TestStore;
  engine: Engine;
  app: PathwaysApp;
  clock: TestClock;
  close(): Promise<void>;
}

/** A real app over a fresh store of `dialect`, with its own engine and clock. */
export async function createApiHarness(
  dialect: Dialect,
  options: { start?: string; tokenTtlMinutes?: number; consentMonths?: number; timeZone?: string; followUp?: KeyworkSettings } = {},
): Promise<ApiHarness> {
  const store = await createTestStore(dialect);
  const clock = createClock(options.start);
  const engine = createEngine(store, { now: clock.now, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  // Journeys span months of test-clock time, so tokens outlive them unless a test says otherwise.
  const app = createApp({ store, engine, now: clock.now, webDist: null, tokenTtlMinutes: options.tokenTtlMinutes ?? 60 * 24 * 3650, ...(options.consentMonths ? { consentMonths: options.consentMonths } : {}), ...(options.followUp ? { followUp: options.followUp } : {}) });
  return {
    store,
    engine,
    app,
    clock,
    async close() {
      await engine.close();
      await store.dispose();
    },
  };
}

const unique = () => randomBytes(4).toString('hex');

/** Makes an agency through its stream (`AGENCY_CREATED`), as the system. */
export async function makeAgency(h: ApiHarness, kind: string, options: { name?: string; area?: string } = {}) {
  return (await createAgency(h.engine, SYSTEM_ACTOR, { name: options.name ?? `${kind} ${unique()}`, kind, area: options.area ?? 'Testshire' })).row;
}

/** A signed-in member of staff. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  agencyId: string;
  token: string;
}

/** Makes a user in an agency and signs them in through `POST /api/v1/auth/login`. */
export async function makeUser(h: ApiHarness, agencyId: string, role: Role): Promise<TestUser> {
  const email = `${role}.${unique()}@test.example`;
  const password = `pw-${unique()}-${unique()}`;
  const { row } = await createStaff(h.engine, SYSTEM_ACTOR, { email, name: `${role} ${unique()}`, passwordHash: await hashPassword(password), role, agencyId });
  const res = await request(h.app).post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: row.id, email, password, role, agencyId, token: (res.body as { token: string }).token };
}

/** Request helpers signed in as `user` (or anonymous). */
export function as(h: ApiHarness, user: TestUser | null) {
  const sign = (t: Test) => (user ? t.set('Authorization', `Bearer ${user.token}`) : t);
  return {
    get: (url: string) => sign(request(h.app).get(url)),
    post: (url: string, body?: unknown) => {
      const t = sign(request(h.app).post(url));
      return body === undefined ? t : t.send(body as object);
    },
  };
}

/** Registers a person through the API as `user`; returns the id. */
export async function makePerson(h: ApiHarness, user: TestUser, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await as(h, user).post('/api/v1/people', {
    givenName: 'Alex',
    familyName: `Tester${unique()}`,
    dateOfBirth: '1985-06-15',
    sex: 'female',
    ethnicity: 'white_british',
    postcodeDistrict: 'NB1',
    pregnant: false,
    parentalResponsibility: true,
    contact: { phone: '07700 900123', address: '1 Canal Street' },
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`person not created: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

/** Records a consent through the API as `user` (the record holder); returns the id. */
export async function giveConsent(
  h: ApiHarness,
  user: TestUser,
  personId: string,
  to: { toAgencyId?: string; toAgencyKind?: string },
  categories: string[],
): Promise<string> {
  const res = await as(h, user).post(`/api/v1/people/${personId}/consents`, { ...to, categories, purpose: 'Care and treatment' });
  if (res.status !== 201) throw new Error(`consent not recorded: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

/** A complete TOP record of `kind` on `recordedOn`. */
export function makeTop(kind: 'start' | 'review' | 'exit' | 'post_exit', recordedOn: string) {
  return {
    kind,
    recordedOn,
    substanceDays: { alcohol: 3, opiates: kind === 'start' ? 20 : 0, crack: 0, cocaine: 0, amphetamines: 0, cannabis: 2, other: 0, tobacco: 28 },
    injectingDays: kind === 'start' ? 10 : 0,
    sharedEquipment: false,
    shopliftingDays: 1,
    sellingDrugsDays: 0,
    otherTheftDays: 0,
    assaultOrViolence: false,
    psychologicalHealth: 9,
    physicalHealth: 11,
    qualityOfLife: 10,
    paidWorkDays: 4,
    educationDays: 0,
    acuteHousingProblem: false,
    atRiskOfEviction: true,
  };
}

/** Sends one event to a journey and returns the response (expects nothing). */
export function caseEvent(h: ApiHarness, user: TestUser, caseId: string, event: Record<string, unknown>) {
  return as(h, user).post(`/api/v1/cases/${caseId}/events`, event);
}

/** Sends events in order, each with the version the previous one returned; fails loudly on a refusal. */
export async function caseEvents(h: ApiHarness, user: TestUser, caseId: string, version: number, events: Record<string, unknown>[]) {
  let v = version;
  let body: Record<string, unknown> = {};
  for (const event of events) {
    const res = await caseEvent(h, user, caseId, { ...event, expectedVersion: v });
    if (res.status !== 200) throw new Error(`${String(event.type)} refused: ${res.status} ${JSON.stringify(res.body)}`);
    body = res.body as Record<string, unknown>;
    v = body.version as number;
  }
  return body;
}

/** Sends events to a referral in order; fails loudly on a refusal. */
export async function referralEvents(h: ApiHarness, user: TestUser, referralId: string, events: Record<string, unknown>[]) {
  let body: Record<string, unknown> = {};
  for (const event of events) {
    const res = await as(h, user).post(`/api/v1/referrals/${referralId}/events`, event);
    if (res.status !== 200) throw new Error(`${String(event.type)} refused: ${res.status} ${JSON.stringify(res.body)}`);
    body = res.body as Record<string, unknown>;
  }
  return body;
}
