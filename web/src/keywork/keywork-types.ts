/** A keyworker's day as the web app reads it from the API (see api/schemas/keywork.ts). */
import type { z } from 'zod';
import type { appointmentSchema, attendanceReportSchema, contactSchema, myDaySchema, taskSchema, teamQueueSchema } from '../../../api/schemas/keywork.ts';

export type Appointment = z.infer<typeof appointmentSchema>;
export type ContactEntry = z.infer<typeof contactSchema>;
export type Task = z.infer<typeof taskSchema>;
export type MyDay = z.infer<typeof myDaySchema>;
export type TeamQueue = z.infer<typeof teamQueueSchema>;
export type AttendanceReport = z.infer<typeof attendanceReportSchema>;

/**
 * Runs one save of a panel on the case page as the page's own change to the journey, and
 * resolves to the save's answer once the page has counted it (see `CasePage`): a booking,
 * an attendance or a contact entry moves the journey's version too.
 */
export type OwnSave = <T>(save: () => Promise<T>) => Promise<T>;

/** A member of staff as `GET /users` lists them. */
export interface StaffMember {
  id: string;
  name: string;
  role: string;
}
