/**
 * Finding a person at national scale: `GET /api/v1/people` p50/p95 over a seeded cohort
 * (seeds/cohort.ts, the same rows `pathways seed --people N` writes, search index
 * included), called sequentially through the real HTTP server by a keyworker of the
 * agency holding the most people (the largest index to search) and by a referrer of a
 * partner holding few. Searches are drawn from the agency's own people: a full name, a
 * name in the other order, a family name alone, the first three letters of a family name,
 * a mistyped name (one letter doubled or dropped), a name with a date of birth, a date of
 * birth alone and a postcode district with a name.
 *
 * Sizes (env): BENCH_PEOPLE (default 330,000: national scale), BENCH_PEOPLE_REQUESTS
 * (searches per kind, default 60), BENCH_DIR (parent of the temp dir), BENCH_PEOPLE_DB (an
 * SQLite file already seeded with `pathways seed --people N`: searched as it is, after
 * building its index when empty; an empty or new file is loaded as below and kept).
 * BENCH_PEOPLE_PG: PostgreSQL instead (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test): `1` loads a fresh schema and drops it after,
 * a schema name loads that schema when empty and keeps it (searched as it is next time);
 * the tables are vacuumed and analysed after loading, as autovacuum leaves them in service. BENCH_PEOPLE_FULL=1 seeds the whole cohort (journeys,
 * referrals; many minutes at national scale); by default only the cohort's people are
 * written — drawn as the seed draws them (names, dates of birth, districts) and held by the
 * seed's two providers in its proportions — and indexed in one pass: a search reads people
 * and their terms, so journeys change only who holds whom.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../api/server.ts';
import { issueToken } from '../src/auth/bearer-tokens.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { createEngine } from '../src/engine/engine.ts';
import { rebuildSearchIndex } from '../src/people/search-index.ts';
import type { Store } from '../src/db/database.ts';
import { seedCohort } from '../seeds/cohort.ts';
import { idMaker } from '../seeds/cohort/cohort-ids.ts';
import { drawPerson, personDetails } from '../seeds/cohort/person.ts';
import { DEMO_AGENCY_IDS } from '../seeds/demo-area-data.ts';
import { loadDemoArea } from '../seeds/demo-area.ts';
import { loadReferenceCodes } from '../seeds/reference-codes.ts';
import { createRandom, mulberry32 } from '../seeds/prng.ts';
import { sql } from 'kysely';
import pg from 'pg';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

type Sample = { given_name: string; family_name: string; date_of_birth: string; postcode_district: string | null };

/** The search kinds, each a query string made from one person of the agency. */
const KINDS: Record<string, (p: Sample) => string> = {
  'full name': (p) => `q=${encodeURIComponent(`${p.given_name} ${p.family_name}`)}`,
  'family then given name': (p) => `q=${encodeURIComponent(`${p.family_name.toLowerCase()} ${p.given_name.toLowerCase()}`)}`,
  'family name alone': (p) => `q=${encodeURIComponent(p.family_name)}`,
  'three letters': (p) => `q=${encodeURIComponent(p.family_name.slice(0, 3))}`,
  'mistyped name': (p) => {
    const f = p.family_name;
    const typo = f.length > 4 ? f.slice(0, 3) + f.slice(4) : `${f}${f.slice(-1)}`;
    return `q=${encodeURIComponent(`${p.given_name} ${typo}`)}`;
  },
  'name and date of birth': (p) => `q=${encodeURIComponent(p.family_name)}&dateOfBirth=${p.date_of_birth}`,
  'date of birth alone': (p) => `dateOfBirth=${p.date_of_birth}`,
  'name and postcode district': (p) => `q=${encodeURIComponent(p.given_name)}&postcodeDistrict=${p.postcode_district ?? 'NB1'}`,
};

/** The cohort's people alone (see the module comment), then their search index. */
async function loadPeopleOnly(store: Store, size: number): Promise<void> {
  const random = createRandom(20261206);
  const ids = idMaker(20261206);
  const referenceMs = Date.parse('2026-11-25T00:00:00.000Z');
  const at = new Date(referenceMs).toISOString();
  const batch = 2000;
  for (let start = 0; start < size; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(size, start + batch); i += 1) {
      const person = drawPerson(random, ids('person', i), referenceMs - random.int(0, 3 * 365) * 86_400_000);
      const alcohol = person.substanceGroup === 'alcohol_only';
      rows.push({
        id: person.id,
        given_name: person.givenName,
        family_name: person.familyName,
        date_of_birth: person.dateOfBirth,
        sex: person.sex,
        ethnicity: person.ethnicity,
        postcode_district: person.postcodeDistrict,
        details: JSON.stringify(personDetails(person)),
        // The seed's split: alcohol-only clients mostly at the alcohol service.
        created_by_agency_id: alcohol && random.chance(0.6) ? DEMO_AGENCY_IDS.alcoholService : DEMO_AGENCY_IDS.recovery,
        created_at: at,
      });
    }
    await store.db.insertInto('people').values(rows).execute();
  }
  await rebuildSearchIndex(store.db);
}

async function run(): Promise<Figure[]> {
  const size = envInt('BENCH_PEOPLE', 330_000);
  const requests = envInt('BENCH_PEOPLE_REQUESTS', 60);
  const pgSchema = process.env.BENCH_PEOPLE_PG === '1' ? `bench_people_${randomBytes(5).toString('hex')}` : process.env.BENCH_PEOPLE_PG || null;
  const dropSchema = process.env.BENCH_PEOPLE_PG === '1';
  const existing = process.env.BENCH_PEOPLE_DB;
  const dir = existing || pgSchema ? null : mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-people-'));
  const store = await openStore(pgSchema ? `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${pgSchema}` : `sqlite:${existing ?? join(dir ?? '', 'pathways.db')}`);
  const database = pgSchema ? `PostgreSQL (schema ${pgSchema})` : 'SQLite';
  const figures: Figure[] = [];
  try {
    await migrate(store);
    const already = await store.db.selectFrom('people').select('id').limit(1).executeTakeFirst();
    if (!already) {
      await loadReferenceCodes(store.db);
      await loadDemoArea(store);
      process.stdout.write(`   seeding ${size.toLocaleString('en-GB')} people… `);
      const t0 = performance.now();
      if (process.env.BENCH_PEOPLE_FULL === '1') await seedCohort(store, { people: size, referenceDate: '2026-11-25', rebuildMetrics: false });
      else await loadPeopleOnly(store, size);
      // As a database some time after loading: statistics, and the visibility map set, so the
      // index's walks read the index alone (no heap fetch per row, as straight after COPY).
      if (store.dialect === 'postgres') await sql`vacuum (analyze) people, person_search_terms, person_search_term_counts`.execute(store.db);
      console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s (search index included)`);
    } else {
      const any = await store.db.selectFrom('person_search_terms').select('term').limit(1).executeTakeFirst();
      if (!any) await rebuildSearchIndex(store.db);
    }
    const people = Number((await store.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const terms = Number((await store.db.selectFrom('person_search_terms').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const holders = await store.db
      .selectFrom('person_search_terms')
      .select(['agency_id', (eb) => eb.fn.count<number>('person_id').distinct().as('n')])
      .where('term', 'like', 'd:%')
      .groupBy('agency_id')
      .orderBy('n', 'desc')
      .execute();
    const largest = holders[0];
    const smallest = holders[holders.length - 1];
    if (!largest || !smallest) throw new Error('no people indexed');
    const now = () => new Date('2026-11-25T12:00:00.000Z');
    const engine = createEngine(store, { now });
    const server = await startServer({ store, engine, now, port: 0, webDist: null });
    const random = mulberry32(20261206);
    console.log(`   ${database}: searching; load average ${load()}`);
    try {
      for (const [label, holder, role] of [
        ['largest holder', largest, 'keyworker'],
        ['smallest holder', smallest, 'referrer'],
      ] as const) {
        const userId = `bench-search-${holder.agency_id}`;
        await store.db.deleteFrom('auth_tokens').where('user_id', '=', userId).execute();
        await store.db.deleteFrom('users').where('id', '=', userId).execute();
        await store.db
          .insertInto('users')
          .values({ id: userId, email: `${userId}@example.test`, name: 'Bench Searcher', password_hash: 'x', role, agency_id: holder.agency_id, created_at: now().toISOString(), disabled_at: null })
          .execute();
        const { token } = await issueToken(store.db, userId, now(), 600);
        // People of this agency to search for, drawn evenly across its index.
        const sample = await store.db
          .selectFrom('person_search_terms as t')
          .innerJoin('people as p', 'p.id', 't.person_id')
          .select(['p.given_name', 'p.family_name', 'p.date_of_birth', 'p.postcode_district'])
          .where('t.agency_id', '=', holder.agency_id)
          .where('t.term', 'like', 'd:%')
          .orderBy('t.person_id')
          .limit(5000)
          .execute();
        const all: number[] = [];
        for (const [kind, make] of Object.entries(KINDS)) {
          const times: number[] = [];
          let found = 0;
          for (let i = 0; i < requests + 3; i += 1) {
            const person = sample[Math.floor(random() * sample.length)]!;
            const t0 = performance.now();
            const res = await fetch(`${server.url}/api/v1/people?${make(person)}`, { headers: { authorization: `Bearer ${token}` } });
            const body = (await res.json()) as { items: unknown[] };
            const ms = performance.now() - t0;
            if (res.status !== 200) throw new Error(`search ${make(person)} answered ${res.status}: ${JSON.stringify(body)}`);
            if (i >= 3) {
              times.push(ms);
              all.push(ms);
              found += body.items.length;
            }
          }
          console.log(`   ${database}, ${label}, ${kind}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, ${(found / requests).toFixed(1)} found a page`);
        }
        const note = `${holder.n.toLocaleString('en-GB')} people held of ${people.toLocaleString('en-GB')}; ${Object.keys(KINDS).length} kinds × ${requests} sequential searches; load average after ${load()}`;
        const on = `${people.toLocaleString('en-GB')} people, ${store.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}, ${label}`;
        figures.push({ name: `GET /people search p50 @ ${on}`, value: percentile(all, 0.5), unit: 'ms', note });
        figures.push({ name: `GET /people search p95 @ ${on}`, value: percentile(all, 0.95), unit: 'ms', note });
      }
      figures.push({ name: 'person search index rows', value: terms, note: `${(terms / people).toFixed(1)} per person` });
    } finally {
      await server.close();
      await engine.close();
    }
    return figures;
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (pgSchema && dropSchema) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
      await client.end();
    }
  }
}

/** Person search at national scale. */
export const bench: BenchModule = {
  name: 'people',
  summary: 'GET /api/v1/people (person search) p50/p95 over a seeded cohort (BENCH_PEOPLE, default 330,000)',
  run,
};
