// Lane colours from the theme (`--vscode-*`), so the dashboard follows light, dark and high contrast.
import type { LaneState } from '../protocol/frames';

const VARS: Record<LaneState, [string, string]> = {
  new: ['--vscode-disabledForeground', '#888888'],
  running: ['--vscode-charts-green', '#89d185'],
  recv: ['--vscode-charts-blue', '#3794ff'],
  send: ['--vscode-charts-purple', '#b180d7'],
  lock: ['--vscode-charts-orange', '#d18616'],
  wait: ['--vscode-charts-yellow', '#cca700'],
  sleep: ['--vscode-charts-lines', '#808080'],
  idle: ['--vscode-editorWidget-border', '#454545'],
  open: ['--vscode-textLink-foreground', '#3794ff'],
  done: ['--vscode-disabledForeground', '#6f6f6f'],
  failed: ['--vscode-errorForeground', '#f14c4c'],
};

export const STATE_NAMES: Record<LaneState, string> = {
  new: 'starting',
  running: 'running',
  recv: 'blocked in recv',
  send: 'sending / back-pressure',
  lock: 'waiting for lock',
  wait: 'waiting (event, condition, join)',
  sleep: 'sleeping',
  idle: 'idle',
  open: 'open (no thread of its own)',
  done: 'done',
  failed: 'failed',
};

/** The state's colour as a CSS value that follows theme switches by itself (for DOM elements). */
export function stateColorVar(state: LaneState): string {
  const [name, fallback] = VARS[state];
  return `var(${name}, ${fallback})`;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Read once per theme change (reading styles on every draw would cost layout). */
export function stateColors(): Record<LaneState, string> {
  const out = {} as Record<LaneState, string>;
  for (const [state, [name, fallback]] of Object.entries(VARS) as [LaneState, [string, string]][]) out[state] = cssVar(name, fallback);
  return out;
}
