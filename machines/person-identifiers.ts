/**
 * The identifiers a person carries from the systems around them, and how to tell a real
 * one from a typing slip. Pure, so the API validates with it and the web app checks a
 * field as it is typed with the same rule.
 *
 * - `nhs_number`: 10 digits, the last a modulus-11 check digit (NHS Data Dictionary,
 *   "NHS Number"). Written with or without spaces; kept as 10 digits.
 * - `pnc_id`: Police National Computer id, `YYYY/NNNNNNNA` (year of first arrest, serial,
 *   check letter: the 2-digit year and the 7-digit serial modulo 23 indexes
 *   `ZABCDEFGHJKLMNPQRTUVWXY`). A short form `YY/NNNNNNA` is accepted and kept in the long
 *   form (years 00–69 read as 20xx, as the PNC started in the 1990s).
 * - `crn`: probation case reference number (nDelius), one letter and six digits, `X123456`.
 * - `prison_number`: the prison (NOMIS) number, `A1234BC`.
 * - `local`: an agency's own reference for the person, unique within that agency.
 *
 * The national ones are unique across Pathways; a local one within its agency.
 */

/** Every identifier system, in display order. */
export const IDENTIFIER_SYSTEMS = ['nhs_number', 'pnc_id', 'crn', 'prison_number', 'local'] as const;

/** One identifier system. */
export type IdentifierSystem = (typeof IDENTIFIER_SYSTEMS)[number];

/** Labels for people (forms, result lists). */
export const IDENTIFIER_LABELS: Record<IdentifierSystem, string> = {
  nhs_number: 'NHS number',
  pnc_id: 'PNC id',
  crn: 'Probation CRN',
  prison_number: 'Prison number',
  local: 'Local id',
};

/** A value in its kept form, or why it is not one. */
export type IdentifierCheck = { ok: true; value: string } | { ok: false; message: string };

const PNC_LETTERS = 'ZABCDEFGHJKLMNPQRTUVWXY';

/** The modulus-11 check digit of the first nine digits, or null when none exists (remainder 1). */
export function nhsCheckDigit(nineDigits: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

function checkNhs(raw: string): IdentifierCheck {
  const value = raw.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(value)) return { ok: false, message: 'an NHS number is 10 digits, e.g. 943 476 5919' };
  const check = nhsCheckDigit(value);
  if (check === null || check !== Number(value[9])) {
    return { ok: false, message: 'this is not a valid NHS number (its check digit does not match); check each digit against the letter or card' };
  }
  return { ok: true, value };
}

function checkPnc(raw: string): IdentifierCheck {
  const m = /^(\d{2}|\d{4})\/?(\d{1,7})([A-Z])$/.exec(raw.replace(/\s/g, '').toUpperCase());
  if (!m) return { ok: false, message: 'a PNC id looks like 2012/0045678K (year, serial, check letter)' };
  const [, yearText = '', serialText = '', letter = ''] = m;
  const year = yearText.length === 4 ? yearText : `${Number(yearText) <= 69 ? '20' : '19'}${yearText}`;
  const serial = serialText.padStart(7, '0');
  const expected = PNC_LETTERS[Number(`${year.slice(2)}${serial}`) % 23];
  if (letter !== expected) return { ok: false, message: 'this is not a valid PNC id (its check letter does not match); copy it exactly from the record' };
  return { ok: true, value: `${year}/${serial}${letter}` };
}

function checkCrn(raw: string): IdentifierCheck {
  const value = raw.replace(/\s/g, '').toUpperCase();
  return /^[A-Z]\d{6}$/.test(value) ? { ok: true, value } : { ok: false, message: 'a probation CRN is a letter and six digits, e.g. X123456' };
}

function checkPrisonNumber(raw: string): IdentifierCheck {
  const value = raw.replace(/\s/g, '').toUpperCase();
  return /^[A-Z]\d{4}[A-Z]{2}$/.test(value) ? { ok: true, value } : { ok: false, message: 'a prison number is a letter, four digits and two letters, e.g. A1234BC' };
}

function checkLocal(raw: string): IdentifierCheck {
  const value = raw.trim();
  if (value.length === 0 || value.length > 40) return { ok: false, message: 'a local id is 1 to 40 characters' };
  if (/[\u0000-\u001f]/.test(value)) return { ok: false, message: 'a local id cannot hold control characters' };
  return { ok: true, value };
}

const CHECKS: Record<IdentifierSystem, (raw: string) => IdentifierCheck> = {
  nhs_number: checkNhs,
  pnc_id: checkPnc,
  crn: checkCrn,
  prison_number: checkPrisonNumber,
  local: checkLocal,
};

/** Checks a value of a system and returns it in its kept form (`943 476 5919` → `9434765919`). */
export function checkIdentifier(system: IdentifierSystem, raw: string): IdentifierCheck {
  return CHECKS[system](raw);
}

/**
 * What a search box's text could be as an identifier, in kept form: every system whose
 * format it fits (a 10-digit number is only an NHS number when its check digit holds).
 * Local ids are left out: any word would fit.
 */
export function identifierReadings(raw: string): Array<{ system: IdentifierSystem; value: string }> {
  const readings: Array<{ system: IdentifierSystem; value: string }> = [];
  for (const system of IDENTIFIER_SYSTEMS) {
    if (system === 'local') continue;
    const check = CHECKS[system](raw);
    if (check.ok) readings.push({ system, value: check.value });
  }
  return readings;
}
