/**
 * A keyworker's day, as read models of the journey's events: appointments, contact
 * entries and tasks. The events on the journey stream are the record (hash-chained); these
 * rows are written in the same transaction so "my day", the team queue and the case page
 * read an index rather than every snapshot of a caseload.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const keyworkRecordsMigration: Migration = {
  name: '050-keywork-records',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('appointments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('with_whom', 'text')
      .addColumn('partner_agency_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('cancellation_reason', 'text')
      .addColumn('booked_by', 'text')
      .addColumn('booked_at', 'text', (c) => c.notNull())
      .addColumn('settled_by', 'text')
      .addColumn('settled_at', 'text')
      .execute();
    await db.schema.createIndex('appointments_case').on('appointments').columns(['case_id', 'starts_at']).execute();
    await db.schema.createIndex('appointments_agency_day').on('appointments').columns(['agency_id', 'starts_at']).execute();

    await db.schema
      .createTable('contact_entries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('contact_on', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('corrects', 'text')
      .addColumn('author_id', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contact_entries_case').on('contact_entries').columns(['case_id', 'contact_on']).execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('appointment_id', 'text')
      .addColumn('due_on', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('assigned_reason', 'text')
      .addColumn('done_at', 'text')
      .addColumn('done_by', 'text')
      .execute();
    await db.schema.createIndex('tasks_assignee').on('tasks').columns(['assignee_id', 'status', 'due_on']).execute();
    await db.schema.createIndex('tasks_agency').on('tasks').columns(['agency_id', 'status', 'due_on']).execute();
    await db.schema.createIndex('tasks_case').on('tasks').columns(['case_id']).execute();
  },
};
