/**
 * The authorization matrix: every role × every route × own agency / other agency / an
 * agency holding a referral but no consent. Every cell's status is checked, and every
 * denied cell is proven to carry none of the person's data.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/auth-user.ts';
import { ROLES } from '../../src/auth/auth-user.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

type Relation = 'own' | 'other' | 'noConsent';
const RELATIONS: readonly Relation[] = ['own', 'other', 'noConsent'];
const CARE: readonly Role[] = ['keyworker', 'referrer', 'manager'];

interface World {
  h: ApiHarness;
  users: Record<Relation, Record<Role, TestUser>>;
  agencies: Record<Relation | 'partner', { id: string }>;
  personId: string;
  familyName: string;
  caseId: string;
  referralId: string;
}

interface Cell {
  method: 'get' | 'post';
  path: string;
  body?: unknown;
}

interface RouteCase {
  name: string;
  /** Builds the request for one user (fresh records where the call consumes them). */
  request(w: World, user: TestUser, relation: Relation): Promise<Cell>;
  /** The status this user must get. */
  expected(role: Role, relation: Relation): number;
}

// A different person each time: the same one twice is caught as a possible duplicate.
const newPersonBody = () => ({ givenName: 'Matrix', familyName: `Fresh ${Math.random().toString(36).slice(2)}`, dateOfBirth: '1990-01-01', sex: 'male' });

async function freshConsent(w: World): Promise<string> {
  return giveConsent(w.h, w.users.own.keyworker, w.personId, { toAgencyKind: 'housing' }, ['identity']);
}

async function freshReferral(w: World): Promise<string> {
  const res = await as(w.h, w.users.own.keyworker).post('/api/v1/referrals', { personId: w.personId, toAgencyId: w.agencies.partner.id, kind: 'mutual_aid', reason: 'Peer support', urgency: 'routine' });
  if (res.status !== 201) throw new Error(`referral not sent: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

const ROUTES: RouteCase[] = [
  { name: 'GET /api/v1/me', request: async () => ({ method: 'get', path: '/api/v1/me' }), expected: () => 200 },
  {
    name: 'POST /api/v1/agencies',
    request: async () => ({ method: 'post', path: '/api/v1/agencies', body: { name: `Agency ${Math.random()}`, kind: 'housing', area: 'Testshire' } }),
    expected: (role) => (role === 'admin' ? 201 : 403),
  },
  { name: 'GET /api/v1/agencies', request: async () => ({ method: 'get', path: '/api/v1/agencies' }), expected: () => 200 },
  {
    name: 'POST /api/v1/users',
    request: async (w) => ({
      method: 'post',
      path: '/api/v1/users',
      body: { email: `new.${Math.random().toString(36).slice(2)}@test.example`, name: 'New', password: 'a long enough password', role: 'keyworker', agencyId: w.agencies.own.id },
    }),
    expected: (role) => (role === 'admin' ? 201 : 403),
  },
  { name: 'GET /api/v1/users', request: async () => ({ method: 'get', path: '/api/v1/users' }), expected: (role) => (['admin', 'manager', 'keyworker'].includes(role) ? 200 : 403) },
  { name: 'POST /api/v1/people', request: async () => ({ method: 'post', path: '/api/v1/people', body: newPersonBody() }), expected: (role) => (CARE.includes(role) ? 201 : 403) },
  { name: 'GET /api/v1/people', request: async () => ({ method: 'get', path: '/api/v1/people?q=matrix' }), expected: (role) => (CARE.includes(role) ? 200 : 403) },
  {
    name: 'GET /api/v1/people/:id',
    request: async (w) => ({ method: 'get', path: `/api/v1/people/${w.personId}` }),
    expected: (role, rel) => (CARE.includes(role) && rel === 'own' ? 200 : 404),
  },
  {
    name: 'GET /api/v1/people/:id/consents',
    request: async (w) => ({ method: 'get', path: `/api/v1/people/${w.personId}/consents` }),
    expected: (role, rel) => (CARE.includes(role) && rel === 'own' ? 200 : 404),
  },
  {
    name: 'POST /api/v1/people/:id/consents',
    request: async (w) => ({ method: 'post', path: `/api/v1/people/${w.personId}/consents`, body: { toAgencyKind: 'gp', categories: ['identity'], purpose: 'GP liaison' } }),
    expected: (role, rel) => (CARE.includes(role) && rel === 'own' ? 201 : 404),
  },
  {
    name: 'POST /api/v1/people/:id/consents/:cid/withdraw',
    request: async (w) => ({ method: 'post', path: `/api/v1/people/${w.personId}/consents/${await freshConsent(w)}/withdraw`, body: {} }),
    expected: (role, rel) => (CARE.includes(role) && rel === 'own' ? 200 : 404),
  },
  {
    name: 'POST /api/v1/cases',
    request: async (w, user, rel) => {
      // The own agency opens for a fresh person of its own; others try the world's person.
      const personId = rel === 'own' && CARE.includes(user.role) ? await makePerson(w.h, user) : w.personId;
      return { method: 'post', path: '/api/v1/cases', body: { personId, referralSource: 'self', referredOn: w.h.clock.today() } };
    },
    expected: (role, rel) => {
      if (role !== 'keyworker' && role !== 'manager') return 403;
      return rel === 'own' ? 201 : rel === 'other' ? 404 : 403;
    },
  },
  { name: 'GET /api/v1/cases', request: async () => ({ method: 'get', path: '/api/v1/cases' }), expected: (role) => (CARE.includes(role) ? 200 : 403) },
  {
    name: 'GET /api/v1/cases/:id',
    request: async (w) => ({ method: 'get', path: `/api/v1/cases/${w.caseId}` }),
    // The no-consent agency keeps what it held: the journey as it stood at the withdrawal (no person).
    expected: (role, rel) => (CARE.includes(role) && rel !== 'other' ? 200 : 404),
  },
  {
    name: 'GET /api/v1/cases/:id/timeline',
    request: async (w) => ({ method: 'get', path: `/api/v1/cases/${w.caseId}/timeline` }),
    expected: (role, rel) => (CARE.includes(role) && rel !== 'other' ? 200 : 404),
  },
  {
    name: 'POST /api/v1/cases/:id/events',
    request: async (w) => {
      const row = await w.h.store.db.selectFrom('cases').select('version').where('id', '=', w.caseId).executeTakeFirstOrThrow();
      return { method: 'post', path: `/api/v1/cases/${w.caseId}/events`, body: { type: 'KEYWORKER_ASSIGNED', keyworkerId: w.users.own.keyworker.id, expectedVersion: row.version } };
    },
    expected: (role, rel) => {
      if (!CARE.includes(role) || rel === 'other') return 404;
      // The no-consent agency may read the journey as it was, never move it on.
      return role === 'referrer' || rel === 'noConsent' ? 403 : 200;
    },
  },
  {
    name: 'POST /api/v1/referrals',
    request: async (w) => ({ method: 'post', path: '/api/v1/referrals', body: { personId: w.personId, toAgencyId: w.agencies.partner.id, kind: 'mutual_aid', reason: 'Peer support', urgency: 'routine' } }),
    expected: (role, rel) => {
      if (!CARE.includes(role)) return 403;
      return rel === 'own' ? 201 : 404;
    },
  },
  { name: 'GET /api/v1/referrals', request: async () => ({ method: 'get', path: '/api/v1/referrals' }), expected: (role) => (CARE.includes(role) ? 200 : 403) },
  {
    name: 'GET /api/v1/referrals/:id',
    request: async (w) => ({ method: 'get', path: `/api/v1/referrals/${w.referralId}` }),
    // The no-consent agency is the receiver: it sees the referral exists (it was sent to it) but no person data.
    expected: (role, rel) => (CARE.includes(role) && rel !== 'other' ? 200 : 404),
  },
  {
    name: 'POST /api/v1/referrals/:id/events',
    request: async (w, _user, rel) => {
      if (rel === 'own') return { method: 'post', path: `/api/v1/referrals/${await freshReferral(w)}/events`, body: { type: 'REFERRAL_CANCELLED', reason: 'Sent in error' } };
      return { method: 'post', path: `/api/v1/referrals/${w.referralId}/events`, body: { type: 'REFERRAL_ACCEPTED' } };
    },
    expected: (role, rel) => {
      if (!CARE.includes(role)) return 404;
      return rel === 'own' ? 200 : rel === 'other' ? 404 : 422;
    },
  },
  { name: 'GET /api/v1/audit', request: async () => ({ method: 'get', path: '/api/v1/audit' }), expected: (role) => (role === 'auditor' || role === 'area_auditor' ? 200 : 403) },
];

const TEAM: readonly Role[] = ['keyworker', 'manager'];

/** A fresh appointment on the world's journey, booked by its own keyworker. */
async function freshAppointment(w: World, startsAt = '2026-03-01T09:00:00Z'): Promise<string> {
  const res = await as(w.h, w.users.own.keyworker).post(`/api/v1/cases/${w.caseId}/appointments`, { kind: 'keywork', startsAt });
  if (res.status !== 201) throw new Error(`appointment not booked: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A fresh open task: an appointment in the past, missed. */
async function freshTask(w: World): Promise<string> {
  const id = await freshAppointment(w);
  const res = await as(w.h, w.users.own.keyworker).post(`/api/v1/appointments/${id}/events`, { type: 'APPOINTMENT_MISSED' });
  if (res.status !== 200) throw new Error(`appointment not missed: ${JSON.stringify(res.body)}`);
  return `dna-${id}`;
}

/** A keyworker's day: the holder's keyworkers and managers write; a partner reads only what consent allows. */
const ownTeam = (role: Role, rel: Relation, ok: number) => {
  if (!CARE.includes(role) || rel === 'other') return 404;
  // The no-consent agency still reads the journey as it stood at the withdrawal: it may see it, never write to it.
  return role === 'referrer' || rel === 'noConsent' ? 403 : ok;
};
const KEYWORK_ROUTES: RouteCase[] = [
  { name: 'GET /api/v1/cases/:id/appointments', request: async (w) => ({ method: 'get', path: `/api/v1/cases/${w.caseId}/appointments` }), expected: (role, rel) => (CARE.includes(role) && rel === 'own' ? 200 : 404) },
  { name: 'POST /api/v1/cases/:id/appointments', request: async (w) => ({ method: 'post', path: `/api/v1/cases/${w.caseId}/appointments`, body: { kind: 'group', startsAt: '2026-04-01T10:00:00Z' } }), expected: (role, rel) => ownTeam(role, rel, 201) },
  {
    name: 'POST /api/v1/appointments/:id/events',
    request: async (w) => ({ method: 'post', path: `/api/v1/appointments/${await freshAppointment(w, '2026-04-02T10:00:00Z')}/events`, body: { type: 'APPOINTMENT_CANCELLED', by: 'service' } }),
    expected: (role, rel) => (TEAM.includes(role) && rel === 'own' ? 200 : 404),
  },
  { name: 'GET /api/v1/cases/:id/contacts', request: async (w) => ({ method: 'get', path: `/api/v1/cases/${w.caseId}/contacts` }), expected: (role, rel) => (CARE.includes(role) && rel !== 'other' ? 200 : 404) },
  {
    name: 'POST /api/v1/cases/:id/contacts',
    request: async (w) => ({ method: 'post', path: `/api/v1/cases/${w.caseId}/contacts`, body: { contactOn: w.h.clock.today(), mode: 'phone', category: 'treatment_progress', summary: 'Called' } }),
    expected: (role, rel) => ownTeam(role, rel, 201),
  },
  { name: 'GET /api/v1/tasks', request: async () => ({ method: 'get', path: '/api/v1/tasks' }), expected: (role) => (TEAM.includes(role) ? 200 : 403) },
  {
    name: 'POST /api/v1/tasks/:id/events',
    request: async (w) => ({ method: 'post', path: `/api/v1/tasks/${await freshTask(w)}/events`, body: { type: 'TASK_COMPLETED' } }),
    expected: (role, rel) => (TEAM.includes(role) && rel === 'own' ? 200 : 404),
  },
  { name: 'GET /api/v1/my-day', request: async () => ({ method: 'get', path: '/api/v1/my-day' }), expected: (role) => (TEAM.includes(role) ? 200 : 403) },
  { name: 'GET /api/v1/team-queue', request: async () => ({ method: 'get', path: '/api/v1/team-queue' }), expected: (role) => (TEAM.includes(role) ? 200 : 403) },
  {
    name: 'POST /api/v1/cases/:id/assignment',
    request: async (w) => ({ method: 'post', path: `/api/v1/cases/${w.caseId}/assignment`, body: { keyworkerId: w.users.own.keyworker.id, reason: 'Matrix' } }),
    expected: (role, rel) => (TEAM.includes(role) ? (rel === 'own' ? 200 : rel === 'noConsent' ? 403 : 404) : 404),
  },
  {
    name: 'GET /api/v1/referrals/:id/attendance',
    request: async (w) => ({ method: 'get', path: `/api/v1/referrals/${w.referralId}/attendance` }),
    expected: (role, rel) => (CARE.includes(role) && rel !== 'other' ? 200 : 404),
  },
];
ROUTES.push(...KEYWORK_ROUTES);

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  let w: World;
  beforeAll(async () => {
    const h = await createApiHarness(dialect);
    const agencies = {
      own: await makeAgency(h, 'treatment_provider'),
      other: await makeAgency(h, 'treatment_provider'),
      noConsent: await makeAgency(h, 'probation'),
      // Receives the referrals the own agency's calls send, so "other" stays a stranger.
      partner: await makeAgency(h, 'mutual_aid'),
    };
    const users = {} as World['users'];
    for (const rel of RELATIONS) {
      users[rel] = {} as Record<Role, TestUser>;
      for (const role of ROLES) users[rel][role] = await makeUser(h, agencies[rel].id, role);
    }
    const familyName = 'Matrixperson';
    const personId = await makePerson(h, users.own.keyworker, { familyName });
    const opened = await as(h, users.own.keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    // A referral to probation sent with consent, then (a minute later) the consent withdrawn:
    // probation holds a referral and the journey as it stood at the withdrawal, but no consent.
    const consentId = await giveConsent(h, users.own.keyworker, personId, { toAgencyId: agencies.noConsent.id }, ['identity', 'contact', 'housing']);
    const referral = await as(h, users.own.keyworker).post('/api/v1/referrals', { personId, toAgencyId: agencies.noConsent.id, kind: 'housing', reason: 'Housing help', urgency: 'routine', caseId: opened.body.id });
    h.clock.set(new Date(h.clock.now().getTime() + 60_000).toISOString());
    await as(h, users.own.keyworker).post(`/api/v1/people/${personId}/consents/${consentId}/withdraw`, {});
    await giveConsent(h, users.own.keyworker, personId, { toAgencyId: agencies.partner.id }, ['identity', 'contact']);
    w = { h, users, agencies, personId, familyName, caseId: opened.body.id as string, referralId: referral.body.id as string };
  });
  afterAll(async () => {
    await w.h.close();
  });

  for (const route of ROUTES) {
    it(route.name, async () => {
      const failures: string[] = [];
      for (const rel of RELATIONS) {
        for (const role of ROLES) {
          const user = w.users[rel][role];
          const cell = await route.request(w, user, rel);
          const call = as(w.h, user)[cell.method](cell.path, cell.body);
          const res = await call;
          const want = route.expected(role, rel);
          if (res.status !== want) failures.push(`${role}/${rel}: got ${res.status} want ${want} ${JSON.stringify(res.body).slice(0, 200)}`);
          const text = JSON.stringify(res.body);
          if (res.status >= 400) {
            expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
            if (text.includes(w.familyName) || text.includes('"items"')) failures.push(`${role}/${rel}: denied cell carries data: ${text.slice(0, 200)}`);
          }
          if (rel !== 'own' && text.includes(w.familyName)) failures.push(`${role}/${rel}: sees the person's name: ${text.slice(0, 200)}`);
          if (rel !== 'own' && route.name === 'GET /api/v1/cases' && res.status === 200 && (res.body.items as unknown[]).length > 0) {
            failures.push(`${role}/${rel}: lists journeys it may not see`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('anonymous callers get 401 on every signed-in route, with no data', async () => {
    for (const route of ROUTES) {
      const cell = await route.request(w, w.users.own.keyworker, 'noConsent');
      const res = await as(w.h, null)[cell.method](cell.path, cell.body);
      expect(res.status, route.name).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
      expect(JSON.stringify(res.body)).not.toContain(w.familyName);
    }
  });
});
