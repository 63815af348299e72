export function AuditPage(_props: Record<string, unknown>) { return <h1>AuditPage</h1>; }
