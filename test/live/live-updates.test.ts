/**
 * Live updates end to end: real socket.io clients against the real server on an ephemeral
 * port. A journey moved over HTTP reaches the sockets that may see it, cut to consent,
 * and nothing of it reaches spies of every other role, agency, area or consent; missed
 * changes arrive on reconnect; a revoked token is disconnected; a fired timer is announced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson, sendReferral } from '../metrics/cohort-builder.ts';
import { addAgency, addConsent, spy, startLiveWorld, type LiveWorld, type Spy } from './live-world.ts';

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe.each(['sqlite', 'postgres'] as const)('live updates (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let jcp: string;
  let otherProvider: string;
  let south: string;
  const tokens: Record<string, string> = {};
  const spies: Record<string, Spy> = {};

  beforeAll(async () => {
    w = await startLiveWorld(dialect);
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    jcp = await addAgency(w.store.db, 'jobcentre_plus', 'North');
    otherProvider = await addAgency(w.store.db, 'treatment_provider', 'North');
    south = await addAgency(w.store.db, 'treatment_provider', 'South');
    const users: Array<[string, string, string]> = [
      ['keyworker', provider, 'keyworker'],
      ['manager', provider, 'manager'],
      ['providerReferrer', provider, 'referrer'],
      ['admin', provider, 'admin'],
      ['auditor', provider, 'auditor'],
      ['jcpReferrer', jcp, 'referrer'],
      ['jcpManager', jcp, 'manager'],
      ['otherKeyworker', otherProvider, 'keyworker'],
      ['otherManager', otherProvider, 'manager'],
      ['southManager', south, 'manager'],
      ['southKeyworker', south, 'keyworker'],
    ];
    for (const [name, agency, role] of users) {
      tokens[name] = (await w.user(agency, role)).token;
      spies[name] = await spy(w.url, { token: tokens[name] });
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(spies)) s.socket.close();
    await w.close();
  });

  async function openCase(personId: string): Promise<{ id: string; version: number }> {
    const res = await w.api(tokens.keyworker!, 'POST', '/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-03-02' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, version: res.body.version as number };
  }

  async function move(c: { id: string; version: number }, event: Record<string, unknown>): Promise<{ id: string; version: number; seqAfter?: number }> {
    const res = await w.api(tokens.keyworker!, 'POST', `/api/v1/cases/${c.id}/events`, { ...event, expectedVersion: c.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { id: c.id, version: res.body.version as number };
  }

  it('refuses a socket without a valid token', async () => {
    await expect(spy(w.url, {})).rejects.toThrow(/token/i);
    await expect(spy(w.url, { token: 'pwt_not-a-token' })).rejects.toThrow(/unknown, expired or revoked/);
  });

  it('sends a journey change made over HTTP to its agency only, and area measures to the area managers only', async () => {
    const personId = await addPerson(w.store.db, provider, { sex: 'male' });
    const opened = await openCase(personId);
    const moved = await move(opened, { type: 'SCREENING_STARTED' });

    const seen = await spies.keyworker!.waitFor((m) => m.event === 'case.changed' && m.payload.id === moved.id && m.payload.version === moved.version);
    expect(seen.payload).toMatchObject({ id: moved.id, version: moved.version, stage: 'screening', state: 'screening', type: 'SCREENING_STARTED' });
    expect(typeof seen.payload.seq).toBe('number');
    await spies.manager!.waitFor((m) => m.event === 'case.changed' && m.payload.id === moved.id && m.payload.version === moved.version);
    await spies.providerReferrer!.waitFor((m) => m.event === 'case.changed' && m.payload.id === moved.id);
    const measures = await spies.manager!.waitFor((m) => m.event === 'metrics.changed');
    expect(measures.payload).toMatchObject({ area: 'North' });
    await spies.otherManager!.waitFor((m) => m.event === 'metrics.changed');
    await w.live.drain();
    await settle();
    for (const name of ['admin', 'auditor', 'jcpReferrer', 'jcpManager', 'otherKeyworker', 'otherManager', 'southManager', 'southKeyworker']) {
      expect(spies[name]!.about(moved.id), `${name} heard of the journey`).toEqual([]);
    }
    expect(spies.southManager!.received.filter((m) => m.event === 'metrics.changed')).toEqual([]);
    expect(spies.keyworker!.received.filter((m) => m.event === 'metrics.changed'), 'only managers hear of measures').toEqual([]);
    // What the manager was told matches what the manager may GET.
    const got = await w.api(tokens.manager!, 'GET', `/api/v1/cases/${moved.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: moved.id, version: moved.version, stage: 'screening' });
  });

  it('cuts a shared journey to the consented categories, and sends nothing without consent', async () => {
    // Y: JCP referred, consent to JCP for identity only: JCP hears the id and version, no progress.
    const y = await addPerson(w.store.db, provider, { sex: 'female' });
    await addConsent(w.store, y, jcp, ['identity']);
    await sendReferral(w.engine, w.clock, { personId: y, fromAgencyId: jcp, toAgencyId: provider, kind: 'treatment', at: '2026-03-02T10:00:00.000Z' });
    // Z: JCP referred, no consent at all: JCP hears nothing of the journey.
    const z = await addPerson(w.store.db, provider, { sex: 'female' });
    await sendReferral(w.engine, w.clock, { personId: z, fromAgencyId: jcp, toAgencyId: provider, kind: 'treatment', at: '2026-03-02T10:00:00.000Z' });
    // P: consent to JCP for treatment progress: JCP hears the stage.
    const p = await addPerson(w.store.db, provider, { sex: 'female' });
    await addConsent(w.store, p, jcp, ['identity', 'treatment_progress']);
    await sendReferral(w.engine, w.clock, { personId: p, fromAgencyId: jcp, toAgencyId: provider, kind: 'treatment', at: '2026-03-02T10:00:00.000Z' });

    const cy = await move(await openCase(y), { type: 'SCREENING_STARTED' });
    const cz = await move(await openCase(z), { type: 'SCREENING_STARTED' });
    const cp = await move(await openCase(p), { type: 'SCREENING_STARTED' });

    const cut = await spies.jcpReferrer!.waitFor((m) => m.event === 'case.changed' && m.payload.id === cy.id && m.payload.version === cy.version);
    expect(Object.keys(cut.payload).sort()).toEqual(['id', 'seq', 'version']);
    const full = await spies.jcpReferrer!.waitFor((m) => m.event === 'case.changed' && m.payload.id === cp.id && m.payload.version === cp.version);
    expect(full.payload).toMatchObject({ stage: 'screening', type: 'SCREENING_STARTED' });
    await spies.keyworker!.waitFor((m) => m.event === 'case.changed' && m.payload.id === cz.id && m.payload.version === cz.version);
    await w.live.drain();
    await settle();
    expect(spies.jcpReferrer!.about(cz.id)).toEqual([]);
    expect(spies.jcpManager!.about(cz.id)).toEqual([]);
    // The shared journey reached JCP, never another agency.
    for (const name of ['otherKeyworker', 'southKeyworker', 'admin', 'auditor']) expect(spies[name]!.about(cy.id)).toEqual([]);
    // JCP may GET Y's journey, but not its stage: the socket told no more than the API does.
    const got = await w.api(tokens.jcpReferrer!, 'GET', `/api/v1/cases/${cy.id}`);
    expect(got.status).toBe(200);
    expect(got.body.stage).toBeUndefined();
    expect((await w.api(tokens.jcpReferrer!, 'GET', `/api/v1/cases/${cz.id}`)).status).toBe(404);

    // Consent withdrawn: from then on nothing new about P flows to JCP.
    await w.store.db.updateTable('consents').set({ withdrawn_at: '2026-03-02T10:00:00.000Z', withdrawn_by: 'test', withdrawal_reason: 'asked' }).where('person_id', '=', p).execute();
    const after = await move(cp, { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    await spies.keyworker!.waitFor((m) => m.event === 'case.changed' && m.payload.id === after.id && m.payload.version === after.version);
    await w.live.drain();
    await settle();
    expect(spies.jcpReferrer!.about(cp.id).filter((m) => m.payload.version === after.version)).toEqual([]);
  });

  it('catches a reconnecting client up on every change it missed', async () => {
    const personId = await addPerson(w.store.db, provider);
    let c = await openCase(personId);
    c = await move(c, { type: 'SCREENING_STARTED' });
    // A client that has seen everything so far (its catch-up from 0 included this journey).
    const client = await spy(w.url, { token: tokens.keyworker, since: 0 });
    await client.waitFor((m) => m.event === 'catch-up.done');
    const last = await client.waitFor((m) => m.event === 'case.changed' && m.payload.id === c.id && m.payload.version === c.version);
    const cursor = last.payload.seq as number;
    client.socket.close();

    c = await move(c, { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    c = await move(c, { type: 'ASSESSMENT_COMPLETED', domains: {} });
    c = await move(c, { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] });
    // On PostgreSQL a catch-up reads only up to the log tail's position (later events come
    // live); once the tail has passed these three, the catch-up alone must bring them all.
    await w.live.drain();

    const back = await spy(w.url, { token: tokens.keyworker, since: cursor });
    const done = await back.waitFor((m) => m.event === 'catch-up.done');
    expect(done.payload.truncated).toBe(false);
    const versions = back.received.filter((m) => m.event === 'case.changed' && m.payload.id === c.id).map((m) => m.payload.version);
    expect([...new Set(versions)].sort()).toEqual([c.version - 2, c.version - 1, c.version]);
    // Catch-up follows the same rules: another agency's reconnect gets nothing of it.
    const other = await spy(w.url, { token: tokens.otherKeyworker, since: cursor });
    await other.waitFor((m) => m.event === 'catch-up.done');
    expect(other.about(c.id)).toEqual([]);
    back.socket.close();
    other.socket.close();
  });

  it('announces a fired timer and the breached deadline to the agency that may see it', async () => {
    const personId = await addPerson(w.store.db, provider);
    const c = await openCase(personId);
    w.clock.set('2026-03-25T10:00:00.000Z');
    await w.engine.sweepDueTimers();
    const breach = await spies.keyworker!.waitFor((m) => m.event === 'deadline.breached' && m.payload.id === c.id);
    expect(breach.payload).toMatchObject({ stream: 'case', deadline: 'waiting_time' });
    await spies.keyworker!.waitFor((m) => m.event === 'timer.fired' && m.payload.id === c.id && m.payload.type === 'WAITING_TIME_BREACHED');
    await w.live.drain();
    await settle();
    for (const name of ['otherKeyworker', 'jcpReferrer', 'southManager', 'admin', 'auditor']) expect(spies[name]!.about(c.id)).toEqual([]);
    w.clock.set('2026-03-02T10:00:00.000Z');
  });

  it('disconnects a socket whose token expires', async () => {
    const u = await w.user(provider, 'keyworker', 30);
    const client = await spy(w.url, { token: u.token });
    w.clock.set('2026-03-02T10:31:00.000Z');
    try {
      await client.waitFor((m) => m.event === 'session.ended', 3000);
      expect(await client.disconnected).toBe('io server disconnect');
    } finally {
      w.clock.set('2026-03-02T10:00:00.000Z');
    }
  });

  it('disconnects a socket whose token is revoked', async () => {
    const u = await w.user(provider, 'keyworker');
    const client = await spy(w.url, { token: u.token });
    const out = await w.api(u.token, 'POST', '/api/v1/auth/logout');
    expect(out.status).toBeLessThan(300);
    await client.waitFor((m) => m.event === 'session.ended', 3000);
    expect(await client.disconnected).toBe('io server disconnect');
    await expect(spy(w.url, { token: u.token })).rejects.toThrow(/revoked/);
  });
});
