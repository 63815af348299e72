/**
 * Schema migrations for both stores. Each migration runs inside its own transaction
 * (SQLite and PostgreSQL both have transactional DDL), together with the row that
 * records it, so a failed migration leaves nothing half-applied.
 */
import type { Kysely } from 'kysely';
import type { Dialect, Store } from './database.ts';
import { withStartupLock } from './startup-lock.ts';
import { coreMigration } from './migrations/001-core.ts';
import { metricsMigration } from './migrations/004-metrics.ts';
import { timerStreamIndexMigration } from './migrations/005-timer-stream-index.ts';
import { metricBlocksMigration } from './migrations/006-metric-blocks.ts';
import { metricDayBlocksMigration } from './migrations/007-metric-day-blocks.ts';
import { caseListIndexMigration } from './migrations/008-case-list-index.ts';
import { referralListIndexMigration } from './migrations/009-referral-list-index.ts';
import { sharedCaseIndexMigration } from './migrations/010-shared-case-index.ts';
import { metricDayTotalsMigration } from './migrations/011-metric-day-totals.ts';
import { caseOverdueMigration } from './migrations/012-case-overdue.ts';
import { caseKeyworkerIndexMigration } from './migrations/013-case-keyworker-index.ts';
import { recordStreamsMigration } from './migrations/014-record-streams.ts';
import { referralSourceMigration } from './migrations/015-referral-source.ts';
import { recordGenesisMigration } from './migrations/016-record-genesis.ts';
import { calendarDayTimersMigration } from './migrations/030-calendar-day-timers.ts';
import { signInThrottleMigration } from './migrations/040-sign-in-throttle.ts';
import { personIdentifiersAndSearchMigration } from './migrations/045-person-identifiers-and-search.ts';
import { personSearchPrefixesMigration } from './migrations/046-person-search-prefixes.ts';
import { keyworkRecordsMigration } from './migrations/050-keywork-records.ts';
import { metricCaseClocksMigration } from './migrations/055-metric-case-clocks.ts';
import { dropMetricCountsMigration } from './migrations/060-drop-metric-counts.ts';
import { personLinksMigration } from './migrations/061-person-links.ts';
import { consentExpiryLocalMidnightMigration } from './migrations/062-consent-expiry-local-midnight.ts';
import { personLinkPairsMigration } from './migrations/063-person-link-pairs.ts';
import { metricPersonEpisodesMigration } from './migrations/065-metric-person-episodes.ts';
import { metricCaseHistoryMigration } from './migrations/070-metric-case-history.ts';
import { sealedLaterEventsMigration } from './migrations/075-sealed-later-events.ts';
import { metricReferralHistoryMigration } from './migrations/090-metric-referral-history.ts';
import { personSearchTermCountsMigration } from './migrations/095-person-search-term-counts.ts';
import { metricDayDeltasMigration } from './migrations/100-metric-day-deltas.ts';
import { openCaseloadIndexMigration } from './migrations/105-open-caseload-index.ts';
import { runningSpellIndexesMigration } from './migrations/110-running-spell-indexes.ts';
import { caseloadSpellIndexesMigration } from './migrations/112-caseload-spell-indexes.ts';
import { caseHistoryEndBlocksMigration } from './migrations/115-case-history-end-blocks.ts';
import { clockJourneyAttributesMigration } from './migrations/116-clock-journey-attributes.ts';

export interface Migration {
  /** Unique, sortable name; never rename one that has shipped. */
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. Append new ones; never edit a shipped one. */
export const MIGRATIONS: readonly Migration[] = [
  coreMigration,
  metricsMigration,
  timerStreamIndexMigration,
  metricBlocksMigration,
  metricDayBlocksMigration,
  caseListIndexMigration,
  referralListIndexMigration,
  sharedCaseIndexMigration,
  metricDayTotalsMigration,
  caseOverdueMigration,
  caseKeyworkerIndexMigration,
  recordStreamsMigration,
  referralSourceMigration,
  recordGenesisMigration,
  calendarDayTimersMigration,
  signInThrottleMigration,
  personIdentifiersAndSearchMigration,
  personSearchPrefixesMigration,
  keyworkRecordsMigration,
  metricCaseClocksMigration,
  dropMetricCountsMigration,
  personLinksMigration,
  consentExpiryLocalMidnightMigration,
  personLinkPairsMigration,
  metricPersonEpisodesMigration,
  metricCaseHistoryMigration,
  sealedLaterEventsMigration,
  metricReferralHistoryMigration,
  personSearchTermCountsMigration,
  metricDayDeltasMigration,
  openCaseloadIndexMigration,
  runningSpellIndexesMigration,
  caseloadSpellIndexesMigration,
  caseHistoryEndBlocksMigration,
  clockJourneyAttributesMigration,
];

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Brings the store's schema up to date. Safe to run concurrently: on PostgreSQL the whole
 * run, creating the migrations table included, holds a session advisory lock.
 */
export async function migrate(store: Store): Promise<MigrationResult> {
  return withStartupLock(store, 'migrate', () => migrateLocked(store));
}

async function migrateLocked(store: Store): Promise<MigrationResult> {
  const { db, dialect } = store;
  await db.schema
    .createTable('pathways_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const migration of MIGRATIONS) {
    const done = await db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('pathways_migrations')
        .select('name')
        .where('name', '=', migration.name)
        .executeTakeFirst();
      if (existing) return false;
      await migration.up(trx as unknown as Kysely<unknown>, dialect);
      await trx
        .insertInto('pathways_migrations')
        .values({ name: migration.name, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    (done ? applied : alreadyApplied).push(migration.name);
  }
  return { applied, alreadyApplied };
}
