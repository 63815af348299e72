/**
 * The search terms of one person: what `person_search_terms` holds for them under each
 * agency that holds their record. Pure. Prefixes say what a term is, so one index serves
 * every kind of search, and every search is a set of exact keys: each key's rows come in
 * person id order from the index, so a page is a short walk that stops when it is full
 * (a range of keys would have to be read whole and sorted first):
 *
 * | term | for |
 * | --- | --- |
 * | `n:<word>` | a word of the given or family name |
 * | `x:<start>` | each start of that word, from two letters to one short of the word (a prefix search is one key) |
 * | `p:<soundex>` | that word's phonetic key (found when a name is mistyped) |
 * | `d:<YYYY-MM-DD>` | date of birth |
 * | `c:<district>` | postcode district |
 * | `i:<system>:<value>` | an identifier, in its kept form |
 * | `k:<YYYY-MM-DD>:<name key>` | the duplicate key: date of birth and the name's words, normalised and sorted |
 */
import { nameKey, nameTokens, soundex } from './name-keys.ts';

/** What the terms are made from. */
export interface SearchablePerson {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcodeDistrict: string | null;
  identifiers: ReadonlyArray<{ system: string; value: string }>;
}

/** The duplicate key term of a name and date of birth. */
export function duplicateKeyTerm(givenName: string, familyName: string, dateOfBirth: string): string {
  return `k:${dateOfBirth}:${nameKey(givenName, familyName)}`;
}

/** The identifier term of a value in its kept form. */
export function identifierTerm(system: string, value: string): string {
  return `i:${system}:${value}`;
}

/** Every term of a person, without repeats. */
export function searchTerms(person: SearchablePerson): string[] {
  const terms = new Set<string>();
  for (const token of [...nameTokens(person.givenName), ...nameTokens(person.familyName)]) {
    terms.add(`n:${token}`);
    for (let end = 2; end < token.length; end += 1) terms.add(`x:${token.slice(0, end)}`);
    const key = soundex(token);
    if (key !== '') terms.add(`p:${key}`);
  }
  terms.add(`d:${person.dateOfBirth}`);
  if (person.postcodeDistrict) terms.add(`c:${person.postcodeDistrict.toUpperCase()}`);
  for (const id of person.identifiers) terms.add(identifierTerm(id.system, id.value));
  terms.add(duplicateKeyTerm(person.givenName, person.familyName, person.dateOfBirth));
  return [...terms];
}
