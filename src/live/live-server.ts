/**
 * Live updates over socket.io on the API's own port. A socket signs in with the same
 * bearer token as the API (`io(url, { auth: { token, since? } })`) and is refused without
 * a valid one; its token is re-checked every few seconds and the socket is disconnected
 * once the token expires or is revoked (or the user is disabled).
 *
 * Sockets join their agency's room (case-reading roles) and, for managers, their area's
 * measures room. The engine tells us about changes only after they commit; each change
 * is turned into per-agency messages cut to what that agency may GET (audience.ts), in
 * commit order through one queue. `metrics.changed` is coalesced per area.
 *
 * Where the changes come from: on SQLite (one process) the engine's commit listener; on
 * PostgreSQL, where several nodes may share the database, the event log itself
 * (log-tail.ts), so a change committed through any node reaches the sockets of every node.
 *
 * A socket that cannot keep up (its send buffer past `shedAfter` messages) is never
 * dropped from silently: it leaves its agency room and is told `catch-up.done` with
 * `truncated: true` and the `seq` it has been sent up to; it asks `catch-up` from there,
 * which reads the log and puts it back in the room.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { readsCaseRecords, type Viewer } from '../access/viewer.ts';
import type { Store } from '../db/database.ts';
import type { Engine } from '../engine/engine-types.ts';
import { AgencyDirectory } from './agency-directory.ts';
import { areaWorkInProgress } from './area-work-in-progress.ts';
import { deliveriesFor } from './audience.ts';
import { catchUp } from './catch-up.ts';
import { startLogTail, type LogTail } from './log-tail.ts';
import { CATCH_UP_REQUEST, LIVE_EVENTS, agencyRoom, areaMetricsRoom } from './live-events.ts';
import { MEASURES_MOVED_BY, MetricsCoalescer } from './metrics-coalescer.ts';
import { recordChangeOf, recordChangeOfEvent, type RecordChange } from './record-change.ts';

export interface LiveOptions {
  httpServer: HttpServer;
  store: Store;
  engine: Engine;
  /** The clock (for consent dates and token expiry); default the system clock. */
  now?: () => Date;
  /** The viewer a bearer token signs in, or null when it is unknown, expired or revoked. */
  authenticate(token: string): Promise<Viewer | null>;
  /** How often every socket's token is re-checked (ms, default 2000). */
  recheckMs?: number;
  /** Least time between two `metrics.changed` to one area (ms, default 250). */
  coalesceMs?: number;
  /** Most events one catch-up reads before asking the client to continue (default 5000). */
  catchUpLimit?: number;
  /** Where changes come from: the engine's commits (one process) or the event log (several nodes); default by dialect. */
  feed?: 'commit' | 'log';
  /** Messages waiting in one socket's send buffer before it is told to catch up instead (default 1000). */
  shedAfter?: number;
}

export interface LiveServer {
  io: Server;
  /** Resolves once the feed is running (the log tail has found the log's end). */
  ready: Promise<void>;
  /** Resolves once every change committed so far has been sent. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface SocketData {
  viewer: Viewer;
  token: string;
  /** Out of its agency room until it asks to catch up (it fell behind). */
  shed?: boolean;
}

/** Every event carries one JSON object. */
interface LiveEventsMap {
  [event: string]: (payload: Record<string, unknown>) => void;
}

type LiveSocket = Socket<LiveEventsMap, LiveEventsMap, LiveEventsMap, SocketData>;

function refusal(message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code: 'unauthenticated' } });
}

const sameViewer = (a: Viewer, b: Viewer): boolean => a.userId === b.userId && a.role === b.role && a.agencyId === b.agencyId && a.agencyArea === b.agencyArea;

/** Attaches socket.io to the API's http server. */
export function attachLive(options: LiveOptions): LiveServer {
  const now = options.now ?? (() => new Date());
  const db = options.store.db;
  const agencies = new AgencyDirectory(db);
  const timerTypes = options.engine.registry.timerEventTypes;
  const io = new Server<LiveEventsMap, LiveEventsMap, LiveEventsMap, SocketData>(options.httpServer, {
    serveClient: false,
    // Messages are small; anything big from a client is not ours.
    maxHttpBufferSize: 16 * 1024,
  });
  const today = (): string => now().toISOString().slice(0, 10);

  // One queue: messages leave in commit order, and a catch-up runs between live batches.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): void => {
    queue = queue.then(task).catch((err: unknown) => {
      console.error('pathways live: fan-out failed:', err instanceof Error ? err.message : err);
    });
  };

  const hasRoom = (room: string): boolean => io.sockets.adapter.rooms.has(room);
  // Agency rooms in use, kept by the adapter's room events rather than counted per change.
  const agencyRooms = new Set<string>();
  io.sockets.adapter.on('create-room', (room: string) => {
    if (room.startsWith('agency:')) agencyRooms.add(room);
  });
  io.sockets.adapter.on('delete-room', (room: string) => {
    agencyRooms.delete(room);
  });
  const agencyRoomCount = (): number => agencyRooms.size;

  const coalescer = new MetricsCoalescer(options.coalesceMs ?? 250, (area, payload) => {
    // With the area's stage counts read after the commit, so a dashboard shows them from the
    // message alone; in the fan-out queue, so messages keep their order. A failed read still
    // sends the message (the page then refetches as before).
    enqueue(async () => {
      const room = areaMetricsRoom(area);
      if (!hasRoom(room)) return;
      const workInProgress = await areaWorkInProgress(db, area, now()).catch((err: unknown) => {
        console.error('pathways live: reading the area’s work in progress failed:', err instanceof Error ? err.message : err);
        return undefined;
      });
      io.to(room).emit(LIVE_EVENTS.metricsChanged, workInProgress ? { ...payload, workInProgress } : payload);
    });
  });

  async function fanOut(change: RecordChange): Promise<void> {
    if (io.sockets.sockets.size === 0) return;
    const { deliveries, area } = await deliveriesFor(
      db,
      agencies,
      change,
      today(),
      (id) => hasRoom(agencyRoom(id)),
      (lead) => agencyRoomCount() > (hasRoom(agencyRoom(lead)) ? 1 : 0),
    );
    for (const d of deliveries) io.to(agencyRoom(d.agencyId)).emit(d.event, d.payload);
    if (area && (change.stream === 'case' || change.stream === 'referral') && hasRoom(areaMetricsRoom(area))) coalescer.note(area, change.seq, MEASURES_MOVED_BY[change.stream]);
  }

  // The newest seq handed to the fan-out: what a socket shed now has been sent up to.
  let fannedSeq = 0;
  const feedFromLog = (options.feed ?? (options.store.dialect === 'postgres' ? 'log' : 'commit')) === 'log';
  let tail: LogTail | null = null;
  let unsubscribe = (): void => undefined;
  let ready: Promise<void>;
  if (feedFromLog) {
    // Nothing to fan out to before the first socket; catch-up covers a socket's past.
    const started = startLogTail(options.store, {
      onEvents: async (rows) => {
        for (const row of rows) {
          const rc = recordChangeOfEvent(row, timerTypes);
          enqueue(async () => {
            fannedSeq = rc.seq;
            await fanOut(rc);
          });
        }
      },
    });
    ready = started.then((t) => {
      tail = t;
    });
  } else {
    unsubscribe = options.engine.onCommit((changes) => {
      for (const change of changes) {
        const rc = recordChangeOf(change, timerTypes);
        enqueue(async () => {
          fannedSeq = Math.max(fannedSeq, rc.seq);
          await fanOut(rc);
        });
      }
    });
    ready = Promise.resolve();
  }

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token = typeof auth?.token === 'string' ? auth.token : null;
    if (!token) {
      next(refusal('Sign in: pass your API token as io(url, { auth: { token } }).'));
      return;
    }
    options.authenticate(token).then(
      (viewer) => {
        if (!viewer) {
          next(refusal('The token is unknown, expired or revoked: sign in again with POST /api/v1/auth/login.'));
          return;
        }
        socket.data = { viewer, token };
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  });

  function startCatchUp(socket: LiveSocket, since: unknown): void {
    if (typeof since !== 'number' || !Number.isInteger(since) || since < 0) return;
    enqueue(async () => {
      if (socket.disconnected) return;
      const { viewer } = socket.data;
      // From the log tail, only what it has passed: later events may still commit below them, and come live.
      const upTo = tail ? tail.seq : undefined;
      const result = await catchUp(db, agencies, timerTypes, viewer, since, today(), options.catchUpLimit ?? 5000, (event, payload) =>
        socket.emit(event, payload),
      upTo);
      if (viewer.role === 'manager' && result.read > 0) {
        socket.emit(LIVE_EVENTS.metricsChanged, { area: viewer.agencyArea, seq: result.seq, measures: [...new Set([...MEASURES_MOVED_BY.case, ...MEASURES_MOVED_BY.referral])].sort() });
      }
      socket.emit(LIVE_EVENTS.catchUpDone, { seq: result.seq, truncated: result.truncated });
      // Caught up on everything committed before this task: live messages from here on.
      if (socket.data.shed && !result.truncated) {
        socket.data.shed = false;
        if (readsCaseRecords(viewer)) void socket.join(agencyRoom(viewer.agencyId));
      }
    });
  }

  /** Takes a socket that fell behind out of the live stream and tells it to catch up (in fan-out order). */
  function shed(socket: LiveSocket): void {
    socket.data.shed = true;
    enqueue(async () => {
      if (socket.disconnected) return;
      void socket.leave(agencyRoom(socket.data.viewer.agencyId));
      socket.emit(LIVE_EVENTS.catchUpDone, { seq: fannedSeq, truncated: true, behind: true });
    });
  }
  const shedAfter = options.shedAfter ?? 1000;
  // engine.io keeps what a socket's transport has not yet taken in `writeBuffer` (typed
  // private, stable through engine.io 6); its length is the backlog of that one client.
  const backlog = (socket: LiveSocket): number => (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
  const watchBuffers = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      if (!socket.data.shed && backlog(socket) > shedAfter) shed(socket);
    }
  }, 250);
  watchBuffers.unref();

  io.on('connection', (socket) => {
    const { viewer } = socket.data;
    if (readsCaseRecords(viewer)) void socket.join(agencyRoom(viewer.agencyId));
    if (viewer.role === 'manager') void socket.join(areaMetricsRoom(viewer.agencyArea));
    startCatchUp(socket, (socket.handshake.auth as { since?: unknown }).since);
    socket.on(CATCH_UP_REQUEST, (request: unknown) => {
      startCatchUp(socket, (request as { since?: unknown } | null)?.since);
    });
  });

  // Tokens expire and are revoked while sockets stay open: re-check them all, regularly.
  let checking = false;
  const recheck = setInterval(() => {
    if (checking) return;
    checking = true;
    void (async () => {
      for (const socket of io.sockets.sockets.values()) {
        const current = await options.authenticate(socket.data.token).catch(() => null);
        if (!current || !sameViewer(current, socket.data.viewer)) {
          socket.emit(LIVE_EVENTS.sessionEnded, { reason: 'The token expired or was revoked: sign in again.' });
          socket.disconnect(true);
        }
      }
    })().finally(() => {
      checking = false;
    });
  }, options.recheckMs ?? 2000);
  recheck.unref();

  return {
    io,
    ready,
    async drain() {
      if (feedFromLog) {
        // Until the tail has read every event committed so far.
        await ready;
        const head = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
        const last = Number(head?.seq ?? 0);
        while (tail && tail.seq < last) {
          tail.poke();
          await new Promise((r) => setTimeout(r, 2));
        }
      }
      // A fan-out may queue an area's `metrics.changed` behind itself: wait until nothing more is queued.
      for (let seen = queue; ; seen = queue) {
        await seen;
        if (seen === queue) break;
      }
    },
    async close() {
      clearInterval(recheck);
      clearInterval(watchBuffers);
      unsubscribe();
      await ready.catch(() => undefined);
      await tail?.close();
      coalescer.stop();
      await queue;
      io.disconnectSockets(true);
      // Close the engine.io side only: the http server belongs to the API, which closes it.
      io.engine.close();
    },
  };
}
