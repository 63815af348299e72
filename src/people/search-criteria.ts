/**
 * A person search as conditions on search terms (src/people/search-terms.ts). Pure. Each
 * condition is met when any one of its alternatives is among the person's terms; a person
 * matches when every condition is met. So "Kyle Brennan" and "brennan kyle" are the same
 * search, "bren" finds Brennan (prefix), "Brenan" finds Brennan (phonetic key), and an NHS
 * number, with or without spaces, finds its holder whether typed in the box or given as
 * `identifier`.
 */
import { identifierReadings } from '../../machines/person-identifiers.ts';
import { validationError } from '../errors.ts';
import { nameTokens, soundex } from './name-keys.ts';
import { identifierTerm } from './search-terms.ts';

/** What a user searched for (the query string of `GET /api/v1/people`). */
export interface PersonSearchInput {
  q?: string | undefined;
  dateOfBirth?: string | undefined;
  identifier?: string | undefined;
  postcodeDistrict?: string | undefined;
}

/** Met when any of these terms is among a person's terms. */
export interface Condition {
  anyOf: string[];
  /** Rough selectivity, higher first: the most selective condition drives the query. */
  weight: number;
}

function identifierCondition(raw: string): Condition {
  const anyOf = identifierReadings(raw).map((r) => identifierTerm(r.system, r.value));
  const local = raw.trim();
  if (local !== '') anyOf.push(identifierTerm('local', local));
  return { anyOf, weight: 100 };
}

/**
 * The conditions of a search; `validation_failed` when it asks for nothing, or for a name
 * so short it would list half a caseload.
 */
export function searchConditions(input: PersonSearchInput): Condition[] {
  const conditions: Condition[] = [];
  if (input.identifier !== undefined && input.identifier.trim() !== '') conditions.push(identifierCondition(input.identifier));
  if (input.dateOfBirth !== undefined) conditions.push({ anyOf: [`d:${input.dateOfBirth}`], weight: 50 });
  if (input.postcodeDistrict !== undefined) conditions.push({ anyOf: [`c:${input.postcodeDistrict.toUpperCase()}`], weight: 5 });
  const q = input.q?.trim() ?? '';
  if (q !== '') {
    // A box holding one identifier (an NHS number typed with spaces, a CRN) is that identifier.
    if (identifierReadings(q).length > 0) {
      conditions.push(identifierCondition(q));
    } else {
      const tokens = [...new Set(nameTokens(q))];
      if (tokens.length === 0 || tokens.every((t) => t.length < 2)) {
        throw validationError('Type at least two letters of a name (or a whole identifier) to search.', [{ path: 'q', message: 'at least two letters of a name' }]);
      }
      for (const token of tokens) {
        // One letter alone (an initial) would match a fifth of everyone: it narrows nothing.
        if (token.length < 2) continue;
        // The start of a longer word, and: from three letters on, any word sounding the same
        // (typos forgiven), which takes in the word itself — so its own key would only make
        // the search walk the same people twice; shorter or non-letter words, the word itself.
        const anyOf = [`x:${token}`];
        if (token.length >= 3 && /^[a-z]+$/.test(token)) anyOf.push(`p:${soundex(token)}`);
        else anyOf.unshift(`n:${token}`);
        conditions.push({ anyOf, weight: 10 + token.length });
      }
    }
  }
  if (conditions.length === 0) {
    throw validationError('Say what to search for: q (a name or an identifier), dateOfBirth, identifier or postcodeDistrict.', [
      { path: 'q', message: 'give at least one of q, dateOfBirth, identifier, postcodeDistrict' },
    ]);
  }
  return conditions.sort((a, b) => b.weight - a.weight);
}

/** True when a person's terms meet every condition (the same rule the SQL applies). */
export function meetsConditions(terms: readonly string[], conditions: readonly Condition[]): boolean {
  const set = new Set(terms);
  return conditions.every((c) => c.anyOf.some((t) => set.has(t)));
}
