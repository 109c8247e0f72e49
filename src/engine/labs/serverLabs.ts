import type { LabDefinition } from './lab';

export const SERVER_LABS: readonly LabDefinition[] = [];
