/** Every route of the API, in the order the document lists them. */
import type { AnyRoute } from '../routing/route.ts';
import { adminRoutes } from './admin-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { docsRoutes } from './docs-routes.ts';
import { figureListRoutes } from './figure-list-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { keyworkRoutes } from './keywork-routes.ts';
import { knownAsRoutes } from './known-as-routes.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { peopleRoutes } from './people-routes.ts';
import { referralRoutes } from './referral-routes.ts';
import { settingsRoutes } from './settings-routes.ts';

/** The routes of the API, the measures included, plus any `extra` ones (documented with the rest; one already served is not added twice). */
export function apiRoutes(extra: readonly AnyRoute[] = []): AnyRoute[] {
  const all: AnyRoute[] = [];
  all.push(...healthRoutes, ...authRoutes, ...adminRoutes, ...settingsRoutes, ...peopleRoutes, ...caseRoutes, ...referralRoutes, ...knownAsRoutes, ...keyworkRoutes, ...auditRoutes, ...figureListRoutes, ...metricsRoutes);
  all.push(...extra.filter((route) => !all.includes(route)), ...docsRoutes(() => all));
  return all;
}
