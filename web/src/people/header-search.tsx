/**
 * The search box in the header, for every role that works with people: it opens the
 * people page with the search filled in (`#/people?q=…`).
 */
import { useState } from 'react';
import { navigate } from '../lib/router.tsx';

/** The header's person search. */
export function HeaderSearch() {
  const [text, setText] = useState('');
  return (
    <form
      role="search"
      className="header-search"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) navigate(`/people?q=${encodeURIComponent(text.trim())}`);
      }}
    >
      <label htmlFor="header-search" className="sr-only">
        Find a person
      </label>
      <input id="header-search" type="search" placeholder="Find a person" value={text} onChange={(e) => setText(e.target.value)} size={18} />
    </form>
  );
}
