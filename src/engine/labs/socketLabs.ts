import type { LabDefinition } from './lab';

export const SOCKET_LABS: readonly LabDefinition[] = [];
