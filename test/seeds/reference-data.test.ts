import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password.ts';
import { DISCHARGE_REASONS, REFERRAL_SOURCES } from '../../machines/codes.ts';
import { AGENCY_KINDS, ETHNICITIES } from '../../seeds/code-lists.ts';
import { DATA_CATEGORIES } from '../../machines/data-categories.ts';
import { DEMO_AGENCIES, DEMO_AGENCY_IDS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_USERS, loadDemoArea } from '../../seeds/demo-area.ts';
import { loadReferenceCodes, referenceCodeCount } from '../../seeds/reference-codes.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';


describe.each(DIALECTS)('reference codes and the demo area on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('loads every code system, and loading again changes nothing but keeps local edits to active', async () => {
    const written = await loadReferenceCodes(store.db);
    expect(written).toBe(referenceCodeCount());
    await store.db.updateTable('codes').set({ active: 0 }).where('system', '=', 'referral_source').where('code', '=', 'education').execute();
    const first = await store.db.selectFrom('codes').selectAll().orderBy('system').orderBy('code').execute();
    await loadReferenceCodes(store.db);
    const second = await store.db.selectFrom('codes').selectAll().orderBy('system').orderBy('code').execute();
    expect(second).toEqual(first);
    expect(second).toHaveLength(referenceCodeCount());

    const systems = new Set(second.map((c) => c.system));
    for (const s of ['referral_source', 'intervention_modality', 'discharge_reason', 'injecting_status', 'housing_need', 'agency_kind', 'referral_kind', 'ethnicity', 'sex', 'substance', 'data_category']) {
      expect(systems, s).toContain(s);
    }
    const codesOf = (system: string): string[] => second.filter((c) => c.system === system).map((c) => c.code).sort();
    expect(codesOf('discharge_reason')).toEqual([...DISCHARGE_REASONS].sort());
    expect(codesOf('referral_source')).toEqual([...REFERRAL_SOURCES].sort());
    expect(codesOf('ethnicity')).toHaveLength(ETHNICITIES.length);
    expect(codesOf('data_category')).toEqual([...DATA_CATEGORIES].sort());
    expect(second.find((c) => c.code === 'education')?.active).toBe(0);
  });

  it('loads every agency kind with staff of every role, idempotently, keeping changed passwords', async () => {
    const first = await loadDemoArea(store);
    expect(first).toEqual({ agencies: DEMO_AGENCIES.length, users: DEMO_USERS.length, usersCreated: DEMO_USERS.length });
    await store.db.updateTable('users').set({ password_hash: 'changed-by-user' }).where('id', '=', DEMO_USERS[0]!.id).execute();
    const agencies = await store.db.selectFrom('agencies').selectAll().orderBy('id').execute();
    const users = await store.db.selectFrom('users').selectAll().orderBy('id').execute();

    const again = await loadDemoArea(store);
    expect(again.usersCreated).toBe(0);
    expect(await store.db.selectFrom('agencies').selectAll().orderBy('id').execute()).toEqual(agencies);
    expect(await store.db.selectFrom('users').selectAll().orderBy('id').execute()).toEqual(users);

    expect(new Set(agencies.map((a) => a.kind))).toEqual(new Set(AGENCY_KINDS.map((k) => k.code)));
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(['admin', 'keyworker', 'referrer', 'manager', 'auditor']));
    expect(users.filter((u) => u.role === 'keyworker').length).toBeGreaterThanOrEqual(4);
    expect(DEMO_USERS.some((u) => u.role === 'keyworker' && u.sex === 'female' && u.agencyId === DEMO_AGENCY_IDS.recovery)).toBe(true);
    // A referrer (or keyworker) at every agency, so every inbox has someone to read it.
    for (const agency of agencies) {
      expect(users.some((u) => u.agency_id === agency.id && (u.role === 'referrer' || u.role === 'keyworker')), agency.name).toBe(true);
    }
    expect(users.find((u) => u.id === DEMO_USERS[0]!.id)?.password_hash).toBe('changed-by-user');
  });

  it('lists demo logins whose password verifies against the stored hash', async () => {
    const keyworker = DEMO_LOGINS.find((l) => l.email === 'keyworker@northbridge.example');
    expect(keyworker).toMatchObject({ password: DEMO_PASSWORD, role: 'keyworker' });
    const row = await store.db.selectFrom('users').select('password_hash').where('email', '=', 'keyworker@northbridge.example').executeTakeFirstOrThrow();
    expect(await verifyPassword(DEMO_PASSWORD, row.password_hash)).toBe(true);
    expect(await verifyPassword('wrong', row.password_hash)).toBe(false);
  });
});
