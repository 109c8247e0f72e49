import type { LabDefinition } from './lab';
import { poolLab } from './poolLabs';
import { joinOrder, memoryIsolation, processLock, sharedMemory, terminate } from './processLabs';
import { daemon, deadlock, eventGate, race, rlock, threadingFunctions, threadsJoin } from './threadLabs';

/** Every lab, in the order of the tutorials. */
export const LABS: readonly LabDefinition[] = [threadsJoin, race, rlock, eventGate, daemon, threadingFunctions, memoryIsolation, joinOrder, terminate, sharedMemory, processLock, deadlock, poolLab];

export function findLab(name: string): LabDefinition | undefined {
  return LABS.find((l) => l.name === name);
}
