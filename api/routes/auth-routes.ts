/** Sign-in, sign-out and who-am-I. */
import { z } from 'zod';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { PathwaysError } from '../../src/errors.ts';
import { issueToken, revokeToken } from '../../src/auth/bearer-tokens.ts';
import { hashPassword, verifyPassword } from '../../src/auth/password.ts';
import { ROLES } from '../../src/auth/auth-user.ts';
import { findAgency, findUserByEmail, userView } from '../../src/agencies/agency-repository.ts';
import { loginBody, loginResponse, userSchema } from '../schemas/user.ts';
import { defineRoute } from '../routing/route.ts';
import { nowIso } from './route-helpers.ts';

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
let decoyHash: Promise<string> | undefined;

/** Refuses a throttled sign-in after the throttle's pause (a client guessing back to back waits it out). */
async function refuseThrottled(throttle: { pauseRefusal(): Promise<void> }, seconds: number): Promise<never> {
  await throttle.pauseRefusal();
  throw new PathwaysError('rate_limited', `Too many failed sign-ins for this account or from this address; try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
}

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in with email and password',
    description: 'Returns an opaque bearer token (expires after PATHWAYS_TOKEN_TTL_MINUTES, default 12 hours). Repeated failures answer 429 with Retry-After, after a pause of a second: per account from one address, per account from anywhere (except from an address the account signed in from before), and per address across accounts. Shared by every node (kept in the database).',
    tag: 'auth',
    auth: 'public',
    body: loginBody,
    responses: { 200: { description: 'signed in', schema: loginResponse } },
    async handle({ body, ctx, ip }) {
      const now = ctx.now();
      // A block this process already read refuses at once: a flood from one address costs no reads.
      const known = ctx.loginThrottle.knownRetryAfterSeconds({ email: body.email, ip }, now);
      if (known > 0) return refuseThrottled(ctx.loginThrottle, known);
      const user = await findUserByEmail(ctx.store.db, body.email);
      const attempt = { email: body.email, ip, userId: user?.id ?? null };
      const wait = await ctx.loginThrottle.retryAfterSeconds(attempt, now);
      if (wait > 0) return refuseThrottled(ctx.loginThrottle, wait);
      const ok = user
        ? user.disabled_at === null && (await verifyPassword(body.password, user.password_hash))
        : await verifyPassword(body.password, await (decoyHash ??= hashPassword('decoy password, never valid')));
      if (!user || !ok || !(ROLES as readonly string[]).includes(user.role)) {
        await ctx.loginThrottle.recordFailure(attempt, now);
        await recordAudit(ctx.store.db, {
          at: now.toISOString(),
          userId: user?.id ?? null,
          agencyId: user?.agency_id ?? null,
          action: 'login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          detail: { ip },
        });
        throw new PathwaysError('unauthenticated', 'The email or password is wrong; check both and try again.');
      }
      await ctx.loginThrottle.recordSuccess(attempt, now);
      const { token, expiresAt } = await issueToken(ctx.store.db, user.id, now, ctx.tokenTtlMinutes);
      await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agency_id, action: 'login', entityType: 'user', entityId: user.id, detail: { ip } });
      const agency = await findAgency(ctx.store.db, user.agency_id);
      return { status: 200, body: { token, expiresAt, user: userView(user, agency) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    summary: 'Revoke the token this request was sent with',
    tag: 'auth',
    auth: ROLES,
    responses: { 200: { description: 'signed out', schema: z.object({ status: z.literal('signed_out') }) } },
    async handle({ user, ctx }) {
      await revokeToken(ctx.store.db, user.tokenId, ctx.now());
      ctx.tokenCache.forgetTokenId(user.tokenId);
      return { status: 200, body: { status: 'signed_out' } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'me',
    summary: 'The signed-in user and their agency',
    tag: 'auth',
    auth: ROLES,
    responses: { 200: { description: 'the user', schema: userSchema } },
    async handle({ user }) {
      return { status: 200, body: { id: user.id, email: user.email, name: user.name, role: user.role, agencyId: user.agencyId, agency: user.agency } };
    },
  }),
];
