/**
 * A table's columns written out for a statement, in place of `select *`. PostgreSQL keeps
 * the engine's fixed statements prepared on each connection (direct-sql.ts), and refuses to
 * run a prepared statement whose result a later migration changed; a `select *` could not
 * be prepared, so it was parsed and planned on every call. The list is checked against the
 * table's type both ways: a column missing from it, or one the table does not have, fails
 * the type check.
 */
export function columnList<T>() {
  return <const C extends ReadonlyArray<keyof T & string>>(columns: C & (Exclude<keyof T, C[number]> extends never ? unknown : never)): string => columns.join(', ');
}
