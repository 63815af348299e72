/**
 * Names as search keys: case, accents and punctuation set aside, so "Siobhán O'Neill",
 * "SIOBHAN ONEILL" and "siobhan o neill" meet; and a phonetic key per name, so common
 * slips ("Brenan" for "Brennan", "Kyel" for "Kyle", "Thomson" for "Thompson") still find
 * the person.
 *
 * The phonetic key is Soundex (US National Archives rules): first letter kept, then the
 * consonant groups as digits, adjacent repeats (also across h and w) folded, to four
 * characters. It misses a slip in the first letter; a prefix of the name still finds those.
 */

/** A name's words, lower case, without accents or punctuation (`"Smith-Jones"` → `["smith", "jones"]`). */
export function nameTokens(text: string): string[] {
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // An apostrophe joins: O'Neill is one word, found as "oneill".
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return plain === '' ? [] : plain.split(' ');
}

const SOUNDEX_CODE: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3',
  l: '4',
  m: '5', n: '5',
  r: '6',
};

/** The Soundex key of one token (`"brennan"` → `"b655"`); '' for a token without letters. */
export function soundex(token: string): string {
  const letters = token.replace(/[^a-z]/g, '');
  const first = letters[0];
  if (first === undefined) return '';
  let key = first;
  let last = SOUNDEX_CODE[first] ?? '';
  for (const ch of letters.slice(1)) {
    const code = SOUNDEX_CODE[ch];
    if (code !== undefined) {
      if (code !== last) key += code;
      last = code;
    } else if (ch !== 'h' && ch !== 'w') {
      // A vowel separates two letters of the same group; h and w do not.
      last = '';
    }
    if (key.length === 4) break;
  }
  return key.padEnd(4, '0');
}

/**
 * The duplicate key of a name: its words, normalised and sorted, so case, accents,
 * punctuation and given and family name in either order give the same key. Exact words,
 * not phonetic keys: two different people share a phonetic key and a birthday often
 * enough that warning on it would teach staff to click through the warning.
 */
export function nameKey(givenName: string, familyName: string): string {
  return [...nameTokens(givenName), ...nameTokens(familyName)].sort().join(' ');
}
