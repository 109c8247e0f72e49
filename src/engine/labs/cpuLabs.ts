import type { LabDefinition } from './lab';

export const CPU_LABS: readonly LabDefinition[] = [];
