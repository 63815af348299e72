/**
 * What a new password must be: at least 12 characters, not guessable by zxcvbn-ts (its
 * common-password, name and word lists, keyboard patterns, repeats, sequences and dates;
 * a score of 3 or more out of 4), and never contains the account's email nor is the part
 * before its @. Checked when an account is created or its password set; the demo
 * password `pathways-demo` passes (score 4), so demo logins need no exception.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { validationError } from '../errors.ts';

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;
/** Lowest zxcvbn score accepted (0 – 4; 3 means "safely unguessable" online). */
export const MIN_PASSWORD_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
const strength = (): ZxcvbnFactory =>
  (factory ??= new ZxcvbnFactory({ graphs: common.adjacencyGraphs, dictionary: { ...common.dictionary } }));

/** Why a password is refused, or null when it is acceptable. */
export async function passwordProblem(password: string, account: { email: string; name?: string }): Promise<string | null> {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const email = account.email.trim().toLowerCase();
  const local = email.split('@')[0] ?? '';
  // The whole address, or the name before @ on its own; zxcvbn weighs the name inside a longer phrase.
  if (lower.includes(email) || lower.trim() === local) return 'must not be or contain the email address';
  const inputs = [email, local, ...(account.name ? account.name.toLowerCase().split(/\s+/) : [])].filter((s) => s.length > 0);
  const result = strength().check(password, inputs);
  if (result.score < MIN_PASSWORD_SCORE) {
    const why = result.feedback.warning ? ` (${result.feedback.warning})` : '';
    return `is too easy to guess${why}: use a longer phrase of unrelated words`;
  }
  return null;
}

/** Throws `validation_failed` naming `field` when the password breaks the policy. */
export async function requireStrongPassword(password: string, account: { email: string; name?: string }, field = 'password'): Promise<void> {
  const problem = await passwordProblem(password, account);
  if (problem) throw validationError(`The password ${problem}.`, [{ path: field, message: problem }]);
}
