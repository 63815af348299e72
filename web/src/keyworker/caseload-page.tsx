export function CaseloadPage(_props: Record<string, unknown>) { return <h1>CaseloadPage</h1>; }
