import { CPU_LABS } from './cpuLabs';
import type { LabDefinition } from './lab';
import { poolLab } from './poolLabs';
import { joinOrder, memoryIsolation, processLock, sharedMemory, terminate } from './processLabs';
import { SERVER_LABS } from './serverLabs';
import { SOCKET_LABS } from './socketLabs';
import { daemon, deadlock, eventGate, race, rlock, threadingFunctions, threadsJoin } from './threadLabs';

/** Every lab, in the order of the tutorials: sockets and servers, threads, processes, pools. */
export const LABS: readonly LabDefinition[] = [
  ...SOCKET_LABS,
  ...SERVER_LABS,
  threadsJoin,
  race,
  rlock,
  eventGate,
  daemon,
  threadingFunctions,
  memoryIsolation,
  joinOrder,
  terminate,
  sharedMemory,
  processLock,
  deadlock,
  ...CPU_LABS,
  poolLab,
];

export function findLab(name: string): LabDefinition | undefined {
  return LABS.find((l) => l.name === name);
}
