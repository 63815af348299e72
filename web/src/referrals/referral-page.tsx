export function ReferralPage(_props: Record<string, unknown>) { return <h1>ReferralPage</h1>; }
