export function CasePage(_props: Record<string, unknown>) { return <h1>CasePage</h1>; }
