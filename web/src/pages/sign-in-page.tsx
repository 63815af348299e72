/**
 * Sign in with email and password. Errors come back as the API's words (wrong password,
 * too many attempts) and focus moves to them so keyboard and screen-reader users hear them.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiProblem } from '../lib/api-problem.ts';
import { useSession } from '../lib/session.tsx';
import { ProblemMessage, Notice } from '../components/status.tsx';

/** The sign-in screen shown to anyone without a session. */
export function SignInPage() {
  const { signIn, endedReason } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const problemRef = useRef<HTMLDivElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);
  useEffect(() => {
    if (problem) problemRef.current?.focus();
  }, [problem]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, 'error', 'Sign-in failed', 'Sign-in failed. Try again.'));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>
          <span className="brand-mark" aria-hidden="true">◆</span> Pathways
        </h1>
        <p className="lede">Referrals and recovery journeys across your local treatment system.</p>
        {endedReason && <Notice tone="info">{endedReason}</Notice>}
        <form onSubmit={(e) => void submit(e)} noValidate aria-describedby="sign-in-help">
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              ref={emailRef}
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div ref={problemRef} tabIndex={-1}>
            <ProblemMessage problem={problem} />
          </div>
          <button type="submit" disabled={busy || !email || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <p id="sign-in-help" className="hint">
            Use the account your service gave you. Everything you open here is recorded in the audit trail.
          </p>
        </form>
      </div>
    </main>
  );
}
