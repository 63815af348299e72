/**
 * Keeps typed work from being lost: while a form holds unsaved input, closing or reloading
 * the tab asks first (the browser's own prompt), and moving to another page of the app asks
 * "leave without saving?" and stays put if the user says no.
 */
import { useEffect } from 'react';

/** Guards the page while `dirty`. */
export function useLeaveGuard(dirty: boolean, message = 'You have not saved what you typed. Leave this page and lose it?'): void {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    let current = window.location.hash;
    let restoring = false;
    // Registered for the capture phase, so it runs before the router's own listener and can
    // keep the router from leaving the page at all (hash changes cannot be cancelled).
    const hashChange = (e: HashChangeEvent) => {
      if (restoring) {
        restoring = false;
        e.stopImmediatePropagation();
        return;
      }
      if (!window.confirm(message)) {
        e.stopImmediatePropagation();
        restoring = true;
        window.location.hash = current;
        return;
      }
      current = window.location.hash;
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('hashchange', hashChange, { capture: true });
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('hashchange', hashChange, { capture: true });
    };
  }, [dirty, message]);
}
