export function DashboardPage(_props: Record<string, unknown>) { return <h1>DashboardPage</h1>; }
