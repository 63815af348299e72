/** Shown for an address that is not part of the app, or not part of this user's work. */
import { Link } from '../lib/router.tsx';

/** The "page not found" page, with a way home. */
export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>This page does not exist, or it is not part of your work in Pathways.</p>
      <p>
        <Link to="/">Go to your start page</Link>
      </p>
    </section>
  );
}
