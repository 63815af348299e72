/**
 * The sharing rules on the socket, with real socket.io clients: from a withdrawal on, the
 * agency it named hears nothing new about the person (live or by catch-up); a referrer
 * without consent to progress never hears of attendance; a journey in custody tells an
 * agency without consent to offending nothing of custody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgency, spy, startLiveWorld, type LiveWorld, type Received, type Spy } from './live-world.ts';

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe.each(['sqlite', 'postgres'] as const)('sharing on the socket (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let jcp: string;
  let mentalHealth: string;
  const tokens: Record<string, string> = {};
  const spies: Record<string, Spy> = {};

  beforeAll(async () => {
    w = await startLiveWorld(dialect);
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    jcp = await addAgency(w.store.db, 'jobcentre_plus', 'North');
    mentalHealth = await addAgency(w.store.db, 'mental_health', 'North');
    for (const [name, agency, role] of [
      ['keyworker', provider, 'keyworker'],
      ['coach', jcp, 'referrer'],
      ['nurse', mentalHealth, 'keyworker'],
    ] as const) {
      tokens[name] = (await w.user(agency, role)).token;
      spies[name] = await spy(w.url, { token: tokens[name] });
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(spies)) s.socket.close();
    await w.close();
  });

  const later = () => w.clock.set(new Date(w.clock.now().getTime() + 60_000).toISOString());

  async function call(token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await w.api(token, method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  let n = 0;
  /** A claimant the work coach registers, with consents, and a TPR1 the provider accepts. */
  async function claimant(jcpCategories: string[]) {
    n += 1;
    const person = await call(tokens.coach!, 'POST', '/api/v1/people', { givenName: 'Sam', familyName: `Live${n}`, dateOfBirth: '1980-02-02', sex: 'male' });
    const personId = person.id as string;
    await call(tokens.coach!, 'POST', `/api/v1/people/${personId}/consents`, { toAgencyId: provider, categories: ['identity', 'contact', 'substance_use'], purpose: 'Treatment' });
    const consent = await call(tokens.coach!, 'POST', `/api/v1/people/${personId}/consents`, { toAgencyId: jcp, categories: jcpCategories, purpose: 'Attendance report' });
    const sent = await call(tokens.coach!, 'POST', '/api/v1/referrals', { personId, toAgencyId: provider, kind: 'treatment', reason: 'Asked for help', urgency: 'routine' });
    const referralId = sent.id as string;
    const accepted = await call(tokens.keyworker!, 'POST', `/api/v1/referrals/${referralId}/events`, { type: 'REFERRAL_ACCEPTED' });
    return { personId, consentId: consent.id as string, referralId, caseId: accepted.caseId as string };
  }

  const about = (s: Spy, id: string, after: number): Received[] => s.about(id).filter((m) => Number(m.payload.seq) > after);

  it('tells the jobcentre nothing new from the withdrawal on, live or by catch-up', async () => {
    const c = await claimant(['identity', 'treatment_progress']);
    const contact = await call(tokens.keyworker!, 'POST', `/api/v1/referrals/${c.referralId}/events`, { type: 'FIRST_CONTACT_MADE' });
    const heard = await spies.coach!.waitFor((m) => m.event === 'referral.changed' && m.payload.id === c.referralId && m.payload.version === contact.version);
    expect(heard.payload).toMatchObject({ status: 'inProgress', type: 'FIRST_CONTACT_MADE' });

    later();
    await call(tokens.keyworker!, 'POST', `/api/v1/people/${c.personId}/consents/${c.consentId}/withdraw`, { reason: 'Claimant asked' });
    const withdrawal = await w.store.db.selectFrom('events').select('seq').where('type', '=', 'CONSENT_WITHDRAWN').where('stream_id', '=', c.personId).executeTakeFirstOrThrow();
    const lastSeq = Number(withdrawal.seq);
    later();
    const completed = await call(tokens.keyworker!, 'POST', `/api/v1/referrals/${c.referralId}/events`, { type: 'REFERRAL_COMPLETED', outcome: 'Engaged' });
    const journey = await call(tokens.keyworker!, 'GET', `/api/v1/cases/${c.caseId}`);
    const moved = await call(tokens.keyworker!, 'POST', `/api/v1/cases/${c.caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: journey.version });
    await spies.keyworker!.waitFor((m) => m.event === 'referral.changed' && m.payload.id === c.referralId && m.payload.version === completed.version);
    await spies.keyworker!.waitFor((m) => m.event === 'case.changed' && m.payload.id === c.caseId && m.payload.version === moved.version);
    await w.live.drain();
    await settle();
    expect(about(spies.coach!, c.referralId, lastSeq)).toEqual([]);
    expect(about(spies.coach!, c.caseId, lastSeq)).toEqual([]);

    // A fresh socket catching up from the start hears what it was told before, nothing after.
    const late = await spy(w.url, { token: tokens.coach, since: 0 });
    await late.waitFor((m) => m.event === 'catch-up.done');
    late.socket.close();
    expect(late.about(c.referralId).some((m) => m.payload.status === 'inProgress')).toBe(true);
    expect(about(late, c.referralId, lastSeq)).toEqual([]);
    expect(about(late, c.caseId, lastSeq)).toEqual([]);
  });

  it('never tells a referrer without consent to progress of attendance', async () => {
    const c = await claimant(['identity']);
    const accepted = await spies.coach!.waitFor((m) => m.event === 'referral.changed' && m.payload.id === c.referralId && m.payload.type === 'REFERRAL_ACCEPTED');
    expect(accepted.payload.status).toBe('accepted');
    const contact = await call(tokens.keyworker!, 'POST', `/api/v1/referrals/${c.referralId}/events`, { type: 'FIRST_CONTACT_MADE' });
    const completed = await call(tokens.keyworker!, 'POST', `/api/v1/referrals/${c.referralId}/events`, { type: 'REFERRAL_COMPLETED', outcome: 'Engaged' });
    const closed = await spies.coach!.waitFor((m) => m.event === 'referral.changed' && m.payload.id === c.referralId && m.payload.version === completed.version);
    expect(closed.payload.status).toBe('completed');
    expect(spies.coach!.about(c.referralId).filter((m) => m.payload.version === contact.version)).toEqual([]);
    expect(spies.coach!.about(c.referralId).some((m) => m.payload.status === 'inProgress')).toBe(false);
  });

  it('tells an agency without consent to offending nothing of custody', async () => {
    const person = await call(tokens.keyworker!, 'POST', '/api/v1/people', { givenName: 'Kit', familyName: 'Custody', dateOfBirth: '1975-05-05', sex: 'female' });
    const personId = person.id as string;
    const opened = await call(tokens.keyworker!, 'POST', '/api/v1/cases', { personId, referralSource: 'self', referredOn: w.clock.now().toISOString().slice(0, 10) });
    await call(tokens.keyworker!, 'POST', `/api/v1/people/${personId}/consents`, { toAgencyId: mentalHealth, categories: ['identity', 'contact', 'health', 'treatment_progress'], purpose: 'Dual diagnosis' });
    await call(tokens.keyworker!, 'POST', '/api/v1/referrals', { personId, toAgencyId: mentalHealth, kind: 'mental_health', reason: 'Low mood', urgency: 'routine', caseId: opened.id });
    const screening = await call(tokens.keyworker!, 'POST', `/api/v1/cases/${opened.id as string}/events`, { type: 'SCREENING_STARTED', expectedVersion: opened.version });
    const seen = await spies.nurse!.waitFor((m) => m.event === 'case.changed' && m.payload.id === opened.id && m.payload.version === screening.version);
    expect(seen.payload).toMatchObject({ stage: 'screening', type: 'SCREENING_STARTED' });
    const custody = await call(tokens.keyworker!, 'POST', `/api/v1/cases/${opened.id as string}/events`, { type: 'CUSTODY_STARTED', expectedVersion: screening.version });
    const cut = await spies.nurse!.waitFor((m) => m.event === 'case.changed' && m.payload.id === opened.id && m.payload.version === custody.version);
    expect(Object.keys(cut.payload).sort()).toEqual(['id', 'seq', 'version']);
    expect(JSON.stringify(spies.nurse!.about(opened.id as string))).not.toMatch(/inCustody|CUSTODY/);
    const got = await call(tokens.nurse!, 'GET', `/api/v1/cases/${opened.id as string}`);
    expect(got.stage).toBe('screening');
  });
});
