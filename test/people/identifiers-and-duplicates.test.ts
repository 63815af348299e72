/**
 * Identifiers and duplicates at the API: each identifier checked against its system's
 * format (the NHS number's modulus-11 check digit, the PNC id's check letter), kept in one
 * form, unique within a system among the records one agency registered; a person who looks
 * like someone the registering user may see is caught with `409 possible_duplicate`, and
 * `confirmNew` registers them anyway, recorded in the event and the audit trail.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkIdentifier, nhsCheckDigit } from '../../machines/person-identifiers.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe('identifier formats', () => {
  it('checks an NHS number by its modulus-11 check digit, with or without spaces', () => {
    expect(checkIdentifier('nhs_number', '943 476 5919')).toEqual({ ok: true, value: '9434765919' });
    expect(checkIdentifier('nhs_number', '9434765918').ok).toBe(false);
    expect(checkIdentifier('nhs_number', '94347659').ok).toBe(false);
    // Nine digits whose remainder leaves 10: no valid NHS number starts so.
    expect(nhsCheckDigit('000000006')).toBeNull();
  });

  it('checks a PNC id by its check letter, keeping the long form', () => {
    // 2012 serial 45678: "120045678" mod 23 = 0 → Z is wrong unless so; work it out.
    const letter = 'ZABCDEFGHJKLMNPQRTUVWXY'[Number('120045678') % 23];
    expect(checkIdentifier('pnc_id', `2012/45678${letter}`)).toEqual({ ok: true, value: `2012/0045678${letter}` });
    expect(checkIdentifier('pnc_id', `12/45678${letter}`)).toEqual({ ok: true, value: `2012/0045678${letter}` });
    const wrong = letter === 'A' ? 'B' : 'A';
    expect(checkIdentifier('pnc_id', `2012/0045678${wrong}`).ok).toBe(false);
  });

  it('checks a CRN and a prison number by their shapes, in capitals', () => {
    expect(checkIdentifier('crn', 'x123456')).toEqual({ ok: true, value: 'X123456' });
    expect(checkIdentifier('crn', 'X12345').ok).toBe(false);
    expect(checkIdentifier('prison_number', 'a1234bc')).toEqual({ ok: true, value: 'A1234BC' });
    expect(checkIdentifier('prison_number', 'A12345C').ok).toBe(false);
  });
});

describe.each(DIALECTS)('identifiers and duplicates on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let colleague: TestUser;
  let housing: { id: string };
  let officer: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    colleague = await makeUser(h, provider.id, 'referrer');
    housing = await makeAgency(h, 'housing');
    officer = await makeUser(h, housing.id, 'referrer');
  });
  afterEach(async () => {
    await h.close();
  });

  const kyle = { givenName: 'Kyle', familyName: 'Brennan', dateOfBirth: '1991-03-01', sex: 'male' };

  it('refuses an identifier that is not valid, naming the field and saying what it should look like', async () => {
    const res = await as(h, keyworker).post('/api/v1/people', { ...kyle, identifiers: [{ system: 'nhs_number', value: '943 476 5918' }] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.issues[0].path).toBe('identifiers.0.value');
    expect(res.body.issues[0].message).toMatch(/check digit/);
    const nhs = await as(h, keyworker).post('/api/v1/people', { ...kyle, nhsNumber: '1234567890' });
    expect(nhs.status).toBe(400);
    expect(nhs.body.issues[0].path).toBe('nhsNumber');
    const twice = await as(h, keyworker).post('/api/v1/people', { ...kyle, identifiers: [{ system: 'crn', value: 'X123456' }, { system: 'crn', value: 'X654321' }] });
    expect(twice.status).toBe(400);
    expect(twice.body.issues[0].path).toBe('identifiers.1.system');
  });

  it('keeps identifiers in one form and shows them with the person', async () => {
    const res = await as(h, keyworker).post('/api/v1/people', { ...kyle, nhsNumber: '943 476 5919', identifiers: [{ system: 'prison_number', value: 'a1234bc' }] });
    expect(res.status).toBe(201);
    expect(res.body.nhsNumber).toBe('9434765919');
    const read = await as(h, keyworker).get(`/api/v1/people/${res.body.id}`);
    expect(read.body.identifiers).toEqual(
      expect.arrayContaining([
        { system: 'nhs_number', value: '9434765919' },
        { system: 'prison_number', value: 'A1234BC' },
      ]),
    );
  });

  it('catches a person whose NHS number, or normalised name and date of birth, matches someone the user may see', async () => {
    const first = await makePerson(h, keyworker, { ...kyle, nhsNumber: '9434765919' });
    // Same name and date of birth, other case and order of accents: a colleague of the same agency is warned.
    const again = await as(h, colleague).post('/api/v1/people', { ...kyle, givenName: 'KYLE', familyName: 'brennan' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('possible_duplicate');
    expect(again.body.detail).toMatch(/confirmNew/);
    expect(again.body.candidates).toEqual([expect.objectContaining({ id: first, givenName: 'Kyle', familyName: 'Brennan', matchedOn: ['name_and_date_of_birth'] })]);
    // Same NHS number under another name: also caught, and said why.
    const byNhs = await as(h, colleague).post('/api/v1/people', { givenName: 'K', familyName: 'Smith', dateOfBirth: '1990-01-01', sex: 'male', nhsNumber: '9434765919' });
    expect(byNhs.status).toBe(409);
    expect(byNhs.body.candidates[0].matchedOn).toEqual(['nhs_number']);
    // Nothing was written by either.
    const people = await h.store.db.selectFrom('people').select('id').execute();
    expect(people).toHaveLength(1);
  });

  it('registers anyway with confirmNew, recorded in the event and the audit trail; the same NHS number twice in one agency stays refused', async () => {
    const first = await makePerson(h, keyworker, kyle);
    const res = await as(h, keyworker).post('/api/v1/people', { ...kyle, confirmNew: true });
    expect(res.status).toBe(201);
    const event = await h.store.db.selectFrom('events').select(['payload']).where('stream_id', '=', res.body.id).where('type', '=', 'PERSON_RECORDED').executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload).confirmedOver).toEqual([first]);
    const audit = await h.store.db.selectFrom('audit_log').select('detail').where('entity_id', '=', res.body.id).where('action', '=', 'create').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.detail)).toEqual({ confirmedNew: true, candidates: [{ id: first, matchedOn: ['name_and_date_of_birth'] }] });

    await makePerson(h, keyworker, { givenName: 'Ann', familyName: 'Other', nhsNumber: '9434765919' });
    const clash = await as(h, keyworker).post('/api/v1/people', { givenName: 'Bea', familyName: 'Else', dateOfBirth: '1980-02-02', sex: 'female', nhsNumber: '9434765919', confirmNew: true });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('conflict');
    expect(clash.body.issues[0].path).toBe('nhsNumber');
  });

  it('never names a person the user may not see: another agency registers the same person without a warning', async () => {
    await makePerson(h, keyworker, { ...kyle, nhsNumber: '9434765919' });
    const res = await as(h, officer).post('/api/v1/people', { ...kyle, nhsNumber: '9434765919' });
    expect(res.status).toBe(201);
  });
});
