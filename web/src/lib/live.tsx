/**
 * The live connection: one socket.io socket per signed-in tab, on the API's own origin,
 * signed in with the same bearer token. Pages subscribe to the events they care about
 * (`case.changed`, `referral.changed`, `metrics.changed`, `deadline.breached`) and refetch
 * through the API, so they never show anything the user could not `GET`.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';

export type LiveEventName = 'case.changed' | 'referral.changed' | 'metrics.changed' | 'deadline.breached' | 'attendance.reported' | 'person.changed';
export type LiveStatus = 'connecting' | 'live' | 'offline';

interface LiveValue {
  socket: Socket | null;
  status: LiveStatus;
}

const LiveContext = createContext<LiveValue>({ socket: null, status: 'offline' });

/** Opens the socket while a token is present; closes it on sign-out. */
export function LiveProvider({ token, onSessionEnded, children }: { token: string | null; onSessionEnded?: () => void; children: ReactNode }) {
  const endedRef = useRef(onSessionEnded);
  endedRef.current = onSessionEnded;
  const [value, setValue] = useState<LiveValue>({ socket: null, status: 'offline' });
  useEffect(() => {
    if (!token) {
      setValue({ socket: null, status: 'offline' });
      return;
    }
    // `since` asks the server to replay what this tab missed while disconnected.
    let lastSeq: number | null = null;
    const socket = io(window.location.origin, {
      auth: (cb) => cb(lastSeq === null ? { token } : { token, since: lastSeq }),
      transports: ['websocket', 'polling'],
    });
    socket.onAny((_event: string, payload: unknown) => {
      const seq = payload && typeof payload === 'object' ? (payload as { seq?: unknown }).seq : undefined;
      if (typeof seq === 'number' && (lastSeq === null || seq > lastSeq)) lastSeq = seq;
    });
    setValue({ socket, status: 'connecting' });
    const set = (status: LiveStatus) => setValue({ socket, status });
    socket.on('connect', () => set('live'));
    socket.on('disconnect', () => set('offline'));
    socket.on('connect_error', () => set('offline'));
    // The server says the token expired or was revoked: sign out here too.
    socket.on('session.ended', () => endedRef.current?.());
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** Whether live updates are flowing, for the header indicator. */
export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/**
 * An `about` for `useLiveEvents`: accepts the messages that name record `id` in one of
 * `fields` (a journey's `case.changed` names it `id`; an attendance report its `referralId`).
 */
export function aboutRecord(id: string, fields: readonly string[] = ['id']): (payload: unknown) => boolean {
  return (payload) => {
    if (!payload || typeof payload !== 'object') return false;
    const p = payload as Record<string, unknown>;
    return fields.some((f) => p[f] === id);
  };
}

/**
 * Calls `handler` for each of the named live events. Bursts are coalesced: the handler
 * runs at most once per `coalesceMs`, with the last payload, so a busy hour does not
 * refetch the same page a hundred times a second. With `coalesceMs` 0 it runs at once for
 * every message (for messages the server already coalesces, or whose every payload counts).
 * A page about one record passes `about` (`aboutRecord`): only the messages it accepts are
 * kept, so a message about another record arriving in the same window cannot take this
 * one's place. A reconnect reaches the handler whatever `about` says.
 */
export function useLiveEvents(
  names: readonly LiveEventName[],
  handler: (name: LiveEventName, payload: unknown) => void,
  coalesceMs = 250,
  about?: (payload: unknown) => boolean,
): void {
  const { socket, status } = useContext(LiveContext);
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  const aboutRef = useRef(about);
  aboutRef.current = about;
  const key = names.join('|');
  useEffect(() => {
    if (!socket) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let pending: { name: LiveEventName; payload: unknown } | null = null;
    const fire = () => {
      timer = null;
      if (pending) handlerRef.current(pending.name, pending.payload);
      pending = null;
    };
    const listeners = key.split('|').map((name) => {
      const listener = (payload: unknown) => {
        if (aboutRef.current && !aboutRef.current(payload)) return;
        if (coalesceMs <= 0) {
          handlerRef.current(name as LiveEventName, payload);
          return;
        }
        pending = { name: name as LiveEventName, payload };
        timer ??= setTimeout(fire, coalesceMs);
      };
      socket.on(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) socket.off(name, listener);
      if (timer) clearTimeout(timer);
    };
  }, [socket, key, coalesceMs]);
  // After a reconnect, catch up on anything missed by refetching once.
  const wasOffline = useRef(false);
  useEffect(() => {
    if (status === 'offline') wasOffline.current = true;
    if (status === 'live' && wasOffline.current) {
      wasOffline.current = false;
      handlerRef.current(names[0] ?? 'case.changed', { reconnected: true });
    }
  }, [status]);
}
