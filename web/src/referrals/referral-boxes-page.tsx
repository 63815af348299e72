export function ReferralBoxesPage(_props: Record<string, unknown>) { return <h1>ReferralBoxesPage</h1>; }
