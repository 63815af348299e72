/**
 * Every test process hashes passwords at scrypt's lowest accepted cost: suites sign many
 * users in, and production's cost (about 50–100 ms a hash) would dominate them. Processes
 * the tests start (`pathways serve`, `seed`) get `PATHWAYS_SCRYPT_COST` instead.
 */
import { setPasswordHashCost } from '../../src/auth/password.ts';

setPasswordHashCost(1024);
