/**
 * The statecharts the engine runs, by stream and machine version. The engine reads
 * machines only through this interface so that a test (or a migration of live journeys)
 * can hand it a registry holding versions the product does not ship yet; the default,
 * `pathwaysRegistry`, is the one in `machines/index.ts`.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import {
  MACHINES,
  TIMER_EVENT_TYPES,
  acceptedEventTypes,
  getMachine,
  stageOf,
} from '../../machines/index.ts';
import type { StreamType } from '../db/schema.ts';

export interface MachineRegistry {
  /** The machine a stream row with `machine_version = version` runs on; throws if unknown. */
  getMachine(stream: StreamType, version: number): AnyStateMachine;
  /** The version new streams start on. */
  currentVersion(stream: StreamType): number;
  /** Event types the snapshot would accept now (guards evaluated), for error messages and UIs. */
  acceptedEventTypes(snapshot: AnyMachineSnapshot): string[];
  /** Event types only timers may deliver; users may not send them. */
  timerEventTypes: ReadonlySet<string>;
  /** The top-level stage of a state value (`{inTreatment: 'active'}` → `inTreatment`). */
  stageOf(stream: StreamType, stateValue: unknown): string;
}

/** The registry of the statecharts in `machines/`. */
export const pathwaysRegistry: MachineRegistry = {
  getMachine: (stream, version) => getMachine(stream, version),
  currentVersion: (stream) => MACHINES[stream].current,
  acceptedEventTypes: (snapshot) => acceptedEventTypes(snapshot),
  timerEventTypes: TIMER_EVENT_TYPES,
  stageOf: (stream, stateValue) => stageOf(stream, stateValue as never),
};
