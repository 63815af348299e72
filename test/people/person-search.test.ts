/**
 * Finding a person at the API: by name (partial, either order, accents and case ignored,
 * slips forgiven), date of birth, identifier and postcode district; only among the people
 * the searcher may see, with nothing about the others showing in the answer, its paging
 * or the work it does; every search in the audit trail.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/access/viewer.ts';
import { findPeople } from '../../src/people/person-search.ts';
import { searchConditions, type PersonSearchInput } from '../../src/people/search-criteria.ts';
import { DIALECTS } from '../support/stores.ts';
import request from 'supertest';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

/** Records each statement a search runs (its kind) and the rows it brought back. */
function workLog(): KyselyPlugin & { work: Array<[string, string]> } {
  const work: Array<[string, string]> = [];
  const kinds = new Map<unknown, string>();
  return {
    work,
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      kinds.set(args.queryId, args.node.kind);
      return args.node;
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      work.push([kinds.get(args.queryId) ?? '?', JSON.stringify(args.result.rows)]);
      return Promise.resolve(args.result);
    },
  };
}

const names = (body: { items: Array<{ givenName: string; familyName: string }> }) => body.items.map((p) => `${p.givenName} ${p.familyName}`).sort();

describe.each(DIALECTS)('person search on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let probation: { id: string };
  let officer: TestUser;
  let kyle: string;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    probation = await makeAgency(h, 'probation');
    officer = await makeUser(h, probation.id, 'referrer');
    kyle = await makePerson(h, keyworker, {
      givenName: 'Kyle',
      familyName: 'Brennan',
      dateOfBirth: '1991-03-01',
      postcodeDistrict: 'NB2',
      identifiers: [
        { system: 'nhs_number', value: '943 476 5919' },
        { system: 'crn', value: 'x123456' },
        { system: 'local', value: 'NB-0042' },
      ],
    });
    await makePerson(h, keyworker, { givenName: 'Siobhán', familyName: "O'Neill", dateOfBirth: '1979-11-20', postcodeDistrict: 'NB1' });
    await makePerson(h, keyworker, { givenName: 'Kylie', familyName: 'Brannigan', dateOfBirth: '1988-07-04', postcodeDistrict: 'NB3' });
  });
  afterEach(async () => {
    await h.close();
  });

  const search = (user: TestUser, query: string) => as(h, user).get(`/api/v1/people?${query}`);

  it('finds a person by part of a name, in either order, whatever the case and accents', async () => {
    expect(names((await search(keyworker, 'q=kyle%20brennan')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=BRENNAN%20Kyle')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=bren')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=ky')).body)).toEqual(['Kyle Brennan', 'Kylie Brannigan']);
    expect(names((await search(keyworker, 'q=siobhan%20oneill')).body)).toEqual(["Siobhán O'Neill"]);
    expect(names((await search(keyworker, `q=${encodeURIComponent("o'neill")}`)).body)).toEqual(["Siobhán O'Neill"]);
  });

  it('forgives common slips in a name (same sound)', async () => {
    expect(names((await search(keyworker, 'q=Kyle%20Brenan')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=Kyel%20Brennen')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=Shiobhan')).body)).toEqual(["Siobhán O'Neill"]);
    // A slip in the first letter changes the sound key: not found (a prefix still is).
    expect(names((await search(keyworker, 'q=Zyle%20Brennan')).body)).toEqual([]);
  });

  it('finds by date of birth, identifier (any system, any spacing) and postcode district, all criteria together', async () => {
    expect(names((await search(keyworker, 'dateOfBirth=1991-03-01')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'identifier=9434765919')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'q=943%20476%205919')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'identifier=X123456')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'identifier=NB-0042')).body)).toEqual(['Kyle Brennan']);
    expect(names((await search(keyworker, 'postcodeDistrict=nb1')).body)).toEqual(["Siobhán O'Neill"]);
    expect(names((await search(keyworker, 'q=ky&dateOfBirth=1988-07-04')).body)).toEqual(['Kylie Brannigan']);
    expect(names((await search(keyworker, 'q=kyle&postcodeDistrict=NB1')).body)).toEqual([]);
    const found = await search(keyworker, 'identifier=9434765919');
    expect(found.body.items[0].identifiers).toEqual(
      expect.arrayContaining([
        { system: 'nhs_number', value: '9434765919' },
        { system: 'crn', value: 'X123456' },
        { system: 'local', value: 'NB-0042', agencyId: provider.id },
      ]),
    );
  });

  it('refuses an empty or one-letter search, saying what to give', async () => {
    const empty = await search(keyworker, '');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('validation_failed');
    expect(empty.body.issues[0].path).toBe('q');
    const oneLetter = await search(keyworker, 'q=k');
    expect(oneLetter.status).toBe(400);
  });

  it('pages in a stable order with a cursor, and says nothing of a total', async () => {
    for (let i = 0; i < 5; i += 1) await makePerson(h, keyworker, { givenName: `Pat${'abcde'[i]}`, familyName: 'Quayle', dateOfBirth: `1990-01-0${i + 1}` });
    const first = await search(keyworker, 'q=quayle&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(Object.keys(first.body).sort()).toEqual(['items', 'nextCursor']);
    const seen = first.body.items.map((p: { id: string }) => p.id);
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const next = await search(keyworker, `q=quayle&limit=2&cursor=${cursor}`);
      seen.push(...next.body.items.map((p: { id: string }) => p.id));
      cursor = next.body.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(seen);
  });

  it('finds nobody the searcher may not see; a shared person only with a live referral and consent to identity', async () => {
    // The probation officer sees no one: the provider registered them all.
    expect((await search(officer, 'q=kyle')).body.items).toEqual([]);
    expect((await search(officer, 'identifier=9434765919')).body.items).toEqual([]);
    // A consent and a live referral to probation share Kyle with identity.
    await giveConsent(h, keyworker, kyle, { toAgencyId: probation.id }, ['identity', 'contact', 'offending']);
    expect((await search(officer, 'q=kyle')).body.items).toEqual([]);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId: kyle, toAgencyId: probation.id, kind: 'mutual_aid', reason: 'Peer support', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const shared = await search(officer, 'q=kyle');
    expect(names(shared.body)).toEqual(['Kyle Brennan']);
    expect(shared.body.items[0].access.scope).toBe('shared');
    expect(names((await search(officer, 'identifier=9434765919')).body)).toEqual(['Kyle Brennan']);
    // Kylie has no referral: never found by probation.
    expect(names((await search(officer, 'q=ky')).body)).toEqual(['Kyle Brennan']);
  });

  it('answers a search for a person the searcher may not see exactly as one for nobody, doing the same work', async () => {
    // Kyle is the provider's: probation may not see him. Each pair: a search that would find him, and its like for no one.
    const pairs: Array<[PersonSearchInput, PersonSearchInput]> = [
      [{ q: 'kyle brennan' }, { q: 'zane quorrall' }],
      [{ q: 'bren' }, { q: 'quor' }],
      [{ identifier: '9434765919' }, { identifier: '4010232137' }],
      [{ q: 'kyle', dateOfBirth: '1991-03-01' }, { q: 'zane', dateOfBirth: '1991-03-02' }],
      [{ dateOfBirth: '1991-03-01', postcodeDistrict: 'NB2' }, { dateOfBirth: '1991-03-02', postcodeDistrict: 'NB9' }],
    ];
    const officerViewer: Viewer = { userId: officer.id, role: 'referrer', agencyId: probation.id, agencyKind: 'probation', agencyArea: 'Testshire' };
    for (const [hiddenInput, absentInput] of pairs) {
      const query = (input: PersonSearchInput) => new URLSearchParams(input as Record<string, string>).toString();
      const [hidden, absent] = [await search(officer, `${query(hiddenInput)}&limit=1`), await search(officer, `${query(absentInput)}&limit=1`)];
      // The same status, body (no total, no cursor) and headers but the date and the request's own id.
      expect([hidden.status, hidden.body]).toEqual([200, { items: [], nextCursor: null }]);
      expect([absent.status, absent.body]).toEqual([hidden.status, hidden.body]);
      const headers = (r: { headers: Record<string, string> }) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'date' && k !== 'x-request-id'));
      expect(headers(absent)).toEqual(headers(hidden));
      // The same statements, each bringing back the same rows (counts included): what the search
      // reads depends on nothing the officer may not see, so neither does the time it takes.
      const logs = [workLog(), workLog()];
      for (const [i, input] of [hiddenInput, absentInput].entries()) {
        await findPeople(h.store.db.withPlugin(logs[i]!), officerViewer, searchConditions(input), { today: h.clock.today(), limit: 20 });
      }
      expect(logs[0]!.work.length).toBeGreaterThan(0);
      expect(logs[1]!.work).toEqual(logs[0]!.work);
      // The provider's keyworker finds him with the very same search: the pair differs only by who may see him.
      expect(names((await search(keyworker, query(hiddenInput))).body)).toEqual(['Kyle Brennan']);
    }
  });

  it('keeps the term counts equal to the index through registration, correction and a journey opened by another agency', async () => {
    const counted = async () => (await h.store.db.selectFrom('person_search_term_counts').select(['agency_id', 'term', 'n']).where('n', '<>', 0).execute()).map((r) => `${r.agency_id} ${r.term} ${Number(r.n)}`).sort();
    const indexed = async () =>
      (await h.store.db.selectFrom('person_search_terms').select(['agency_id', 'term', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['agency_id', 'term']).execute())
        .map((r) => `${r.agency_id} ${r.term} ${Number(r.n)}`)
        .sort();
    expect(await counted()).toEqual(await indexed());
    expect(await counted()).toContain(`${provider.id} x:bre 1`);
    // A correction moves Kyle's counts from his old name, date of birth and district to the new ones.
    const corrected = await request(h.app).patch(`/api/v1/people/${kyle}`).set('Authorization', `Bearer ${keyworker.token}`).send({ familyName: 'Brannock', dateOfBirth: '1991-03-02', postcodeDistrict: 'NB3' });
    expect(corrected.status).toBe(200);
    expect(await counted()).toEqual(await indexed());
    expect(await counted()).toEqual(expect.arrayContaining([`${provider.id} c:NB3 2`, `${provider.id} x:bra 2`, `${provider.id} d:1991-03-02 1`]));
    expect((await counted()).filter((c) => c.startsWith(`${provider.id} d:1991-03-01 `) || c.startsWith(`${provider.id} n:brennan `))).toEqual([]);
    // Another agency leading a journey of Kyle's holds him too: his terms are counted under it.
    const other = await makeAgency(h, 'treatment_provider');
    const otherKeyworker = await makeUser(h, other.id, 'keyworker');
    await giveConsent(h, keyworker, kyle, { toAgencyId: other.id }, ['identity', 'contact', 'substance_use']);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId: kyle, toAgencyId: other.id, kind: 'treatment', reason: 'Move', urgency: 'routine' });
    expect((await as(h, otherKeyworker).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED' })).status).toBe(200);
    expect(await counted()).toEqual(await indexed());
    expect(await counted()).toContain(`${other.id} n:brannock 1`);
    expect(names((await search(otherKeyworker, 'q=kyle%20brannock')).body)).toEqual(['Kyle Brannock']);
  });

  it('records every search in the audit trail: who searched for what, not what was found', async () => {
    await search(keyworker, 'q=kyle&dateOfBirth=1991-03-01');
    const rows = await h.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'search').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.user_id).toBe(keyworker.id);
    expect(rows[0]!.person_id).toBeNull();
    expect(JSON.parse(rows[0]!.detail)).toEqual({ q: 'kyle', dateOfBirth: '1991-03-01' });
  });
});
