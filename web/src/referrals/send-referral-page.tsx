export function SendReferralPage(_props: Record<string, unknown>) { return <h1>SendReferralPage</h1>; }
