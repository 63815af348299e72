/**
 * Password hashing with scrypt, node's built-in memory-hard function (RFC 7914).
 *
 * The stored string carries its own parameters and salt, so the cost can be raised later
 * without invalidating existing hashes:
 * `scrypt$N=<cost>,r=<blockSize>,p=<parallelism>$<salt base64url>$<key base64url>`.
 */
import { randomBytes, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createHashPool, type HashPool, type HashPoolOptions } from './hash-pool.ts';

const SCHEME = 'scrypt';
// N=2^15, r=8 uses 32 MiB per hash: memory-hard enough to make offline guessing costly,
// quick enough (~50–100 ms) for an interactive login. Tests lower the cost
// (`setPasswordHashCost`; PATHWAYS_SCRYPT_COST for the command line) to keep suites fast.
const DEFAULT_COST = 2 ** 15;
let cost = DEFAULT_COST;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

// Hashing runs on threads of its own with a bounded queue (hash-pool.ts), not libuv's pool.
let pool: HashPool | undefined;

let poolOptions: HashPoolOptions = {};

/** The process's hashing pool (created on first use), for its counters and for shutdown. */
export function passwordHashPool(): HashPool {
  return (pool ??= createHashPool(poolOptions));
}

/**
 * Sizes the hashing pool (`PATHWAYS_HASH_THREADS`, `PATHWAYS_HASH_QUEUE`) and sets its
 * threads' priority (`PATHWAYS_HASH_NICE`); call before the first sign-in. A pool already
 * started keeps its settings.
 */
export function configurePasswordHashPool(options: HashPoolOptions): void {
  poolOptions = options;
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const N = options.N ?? DEFAULT_COST;
  const r = options.r ?? BLOCK_SIZE;
  // maxmem must cover 128 * N * r bytes plus headroom, or node refuses the parameters.
  return passwordHashPool().derive({ password: password.normalize('NFKC'), salt, keyLength: KEY_LENGTH, N, r, p: options.p ?? PARALLELISM, maxmem: 256 * N * r });
}

/**
 * Sets the scrypt cost of new hashes for this process (existing hashes keep their own).
 * A process-wide setting rather than an argument, because every hash in a process should
 * cost the same and hashes are made in many places (sign-up, the first admin, seeds).
 * @param n - a power of two from 1024 to 2^20
 */
export function setPasswordHashCost(n: number): void {
  if (!Number.isInteger(n) || n < 1024 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new RangeError(`The scrypt cost must be a power of two from 1024 to ${2 ** 20}, not ${n}.`);
  }
  cost = n;
}

/**
 * Hashes a password with a fresh random salt.
 * @param password - the plain-text password as typed
 * @returns the encoded hash to store in `users.password_hash`
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const N = cost;
  const key = await derive(password, salt, { N, r: BLOCK_SIZE, p: PARALLELISM });
  return `${SCHEME}$N=${N},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Checks a password against a stored hash in constant time.
 * Resolves to false for a wrong password or a malformed stored value; rejects with
 * `rate_limited` (Retry-After) only when the hashing queue is full (hash-pool.ts).
 * @param password - the plain-text password as typed
 * @param stored - a value produced by `hashPassword`
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.options);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

interface ParsedHash {
  options: ScryptOptions;
  salt: Buffer;
  key: Buffer;
}

function parseStored(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== SCHEME) return null;
  const params = new Map(
    (parts[1] ?? '').split(',').map((kv) => {
      const [k, v] = kv.split('=');
      return [k ?? '', Number(v)] as const;
    }),
  );
  const N = params.get('N');
  const r = params.get('r');
  const p = params.get('p');
  if (!N || !r || !p || !Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20 || r > 32 || p > 16) {
    return null;
  }
  const salt = Buffer.from(parts[2] ?? '', 'base64url');
  const key = Buffer.from(parts[3] ?? '', 'base64url');
  if (salt.length === 0 || key.length === 0) return null;
  return { options: { N, r, p }, salt, key };
}
