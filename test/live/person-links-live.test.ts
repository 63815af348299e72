/**
 * Linking two agencies' records of one person, heard on the socket (real socket.io clients
 * against the real server): `PERSON_LINKED` and `PERSON_UNLINKED` reach the case-reading
 * sockets of the agency holding each record, about that agency's own record; the other
 * record's agency hears nothing of a record it may not see, and no other agency or role
 * hears anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgency, spy, startLiveWorld, type LiveWorld, type Received, type Spy } from './live-world.ts';

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe.each(['sqlite', 'postgres'] as const)('person links on the socket (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let probation: string;
  const tokens: Record<string, string> = {};
  const spies: Record<string, Spy> = {};

  beforeAll(async () => {
    w = await startLiveWorld(dialect);
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    probation = await addAgency(w.store.db, 'probation', 'North');
    const housing = await addAgency(w.store.db, 'housing', 'North');
    for (const [name, agency, role] of [
      ['keyworker', provider, 'keyworker'],
      ['providerManager', provider, 'manager'],
      ['providerAdmin', provider, 'admin'],
      ['officer', probation, 'referrer'],
      ['probationAuditor', probation, 'auditor'],
      ['housingKeyworker', housing, 'keyworker'],
    ] as const) {
      tokens[name] = (await w.user(agency, role)).token;
      spies[name] = await spy(w.url, { token: tokens[name] });
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(spies)) s.socket.close();
    await w.close();
  });

  async function call(token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await w.api(token, method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  /** The person.changed messages a spy heard after `seq`, as [record, event type]. */
  const personChanges = (s: Spy, seq: number): Array<[unknown, unknown]> =>
    s.received.filter((m: Received) => m.event === 'person.changed' && Number(m.payload.seq) > seq).map((m) => [m.payload.id, m.payload.type]);

  const lastSeq = async (): Promise<number> => Number((await w.store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow()).seq);

  it('tells each record\'s agency of its own record when the two are linked and unlinked, and nobody else of anything', async () => {
    // Probation's record, referred to the provider with consent; the provider's own record of the same person.
    const referred = (await call(tokens.officer!, 'POST', '/api/v1/people', { givenName: 'Kyle', familyName: 'Linkwood', dateOfBirth: '1991-03-01', sex: 'male' })).id as string;
    await call(tokens.officer!, 'POST', `/api/v1/people/${referred}/consents`, { toAgencyId: provider, categories: ['identity', 'contact', 'substance_use'], purpose: 'Treatment' });
    await call(tokens.officer!, 'POST', '/api/v1/referrals', { personId: referred, toAgencyId: provider, kind: 'treatment', reason: 'Order', urgency: 'routine' });
    const own = (await call(tokens.keyworker!, 'POST', '/api/v1/people', { givenName: 'Kyle', familyName: 'Linkwood', dateOfBirth: '1991-03-01', sex: 'male', confirmNew: true })).id as string;
    await w.live.drain();
    await settle();

    for (const [action, type] of [
      ['link', 'PERSON_LINKED'],
      ['unlink', 'PERSON_UNLINKED'],
    ] as const) {
      const before = await lastSeq();
      if (action === 'link') await call(tokens.keyworker!, 'POST', `/api/v1/people/${own}/links`, { otherPersonId: referred, reason: 'Same person' });
      else await call(tokens.keyworker!, 'POST', `/api/v1/people/${own}/links/${referred}/unlink`, { reason: 'Two people after all' });
      const after = await lastSeq();
      expect(after).toBeGreaterThan(before);
      // Each holder's case readers hear of their own record.
      for (const name of ['keyworker', 'providerManager']) {
        await spies[name]!.waitFor((m) => m.event === 'person.changed' && m.payload.id === own && m.payload.type === type && Number(m.payload.seq) > before);
      }
      await spies.officer!.waitFor((m) => m.event === 'person.changed' && m.payload.id === referred && m.payload.type === type && Number(m.payload.seq) > before);
      await w.live.drain();
      await settle();
      // Probation never hears of the provider's record; the provider is told nothing of probation's record
      // it does not hold; roles that read no care records and other agencies hear nothing at all.
      expect(personChanges(spies.officer!, before)).toEqual([[referred, type]]);
      expect(spies.officer!.about(own)).toEqual([]);
      for (const name of ['keyworker', 'providerManager']) expect(personChanges(spies[name]!, before)).toEqual([[own, type]]);
      for (const name of ['providerAdmin', 'probationAuditor', 'housingKeyworker']) {
        expect(spies[name]!.received.filter((m) => Number(m.payload.seq) > before)).toEqual([]);
        expect(spies[name]!.about(own)).toEqual([]);
        expect(spies[name]!.about(referred)).toEqual([]);
      }
    }
  });
});
