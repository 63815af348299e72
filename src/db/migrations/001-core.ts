/**
 * The core tables: agencies and their staff, people and their consents, journeys and
 * referrals with their event log and durable timers, the audit trail and reference codes.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const coreMigration: Migration = {
  name: '001-core',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('agencies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('area', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .execute();
    await db.schema.createIndex('users_agency').on('users').column('agency_id').execute();

    await db.schema
      .createTable('auth_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('people')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('given_name', 'text', (c) => c.notNull())
      .addColumn('family_name', 'text', (c) => c.notNull())
      .addColumn('date_of_birth', 'text', (c) => c.notNull())
      .addColumn('sex', 'text', (c) => c.notNull())
      .addColumn('ethnicity', 'text')
      .addColumn('postcode_district', 'text')
      .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_by_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('consents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
      .addColumn('to_agency_id', 'text', (c) => c.references('agencies.id'))
      .addColumn('to_agency_kind', 'text')
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('given_on', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text')
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('withdrawn_at', 'text')
      .addColumn('withdrawn_by', 'text')
      .addColumn('withdrawal_reason', 'text')
      .execute();
    await db.schema.createIndex('consents_person').on('consents').column('person_id').execute();

    await db.schema
      .createTable('cases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
      .addColumn('lead_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('keyworker_id', 'text', (c) => c.references('users.id'))
      .addColumn('machine_version', 'integer', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('state_value', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('referral_source', 'text', (c) => c.notNull())
      .addColumn('referred_on', 'text', (c) => c.notNull())
      .addColumn('stage_entered_at', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cases_person').on('cases').column('person_id').execute();
    await db.schema.createIndex('cases_agency_stage').on('cases').columns(['lead_agency_id', 'stage']).execute();
    await db.schema.createIndex('cases_keyworker').on('cases').column('keyworker_id').execute();
    await db.schema.createIndex('cases_stage').on('cases').column('stage').execute();

    await db.schema
      .createTable('referrals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
      .addColumn('case_id', 'text', (c) => c.references('cases.id'))
      .addColumn('from_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('from_user_id', 'text', (c) => c.references('users.id'))
      .addColumn('to_agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('urgency', 'text', (c) => c.notNull())
      .addColumn('machine_version', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('acknowledge_by', 'text')
      .addColumn('first_contact_by', 'text')
      .addColumn('safeguarding_override', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('referrals_to').on('referrals').columns(['to_agency_id', 'state']).execute();
    await db.schema.createIndex('referrals_from').on('referrals').columns(['from_agency_id', 'state']).execute();
    await db.schema.createIndex('referrals_person').on('referrals').column('person_id').execute();

    await db.schema
      .createTable('events')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('stream_type', 'text', (c) => c.notNull())
      .addColumn('stream_id', 'text', (c) => c.notNull())
      .addColumn('stream_version', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('from_state', 'text')
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('agency_id', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('effective_at', 'text', (c) => c.notNull())
      .addColumn('backdate_reason', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('events_stream')
      .on('events')
      .columns(['stream_type', 'stream_id', 'stream_version'])
      .unique()
      .execute();

    await db.schema
      .createTable('timers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('stream_type', 'text', (c) => c.notNull())
      .addColumn('stream_id', 'text', (c) => c.notNull())
      .addColumn('timer_key', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('fired_at', 'text')
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'text')
      .execute();
    await db.schema.createIndex('timers_due').on('timers').columns(['status', 'due_at']).execute();
    await db.schema
      .createIndex('timers_pending_key')
      .on('timers')
      .columns(['stream_type', 'stream_id', 'timer_key'])
      .unique()
      .where(sql.ref('status'), '=', 'pending')
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('agency_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('person_id', 'text')
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('purpose', 'text')
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('audit_person').on('audit_log').columns(['person_id', 'at']).execute();
    await db.schema.createIndex('audit_user').on('audit_log').columns(['user_id', 'at']).execute();
    await db.schema.createIndex('audit_at').on('audit_log').column('at').execute();

    await db.schema
      .createTable('codes')
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('codes_pk', ['system', 'code'])
      .execute();
  },
};
