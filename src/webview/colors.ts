// Lane colours from the theme (`--vscode-*`), so the dashboard follows light, dark and high contrast.
import type { LaneState } from '../protocol/states';
import { LANE_STATE_INFO, type LaneStateInfo } from '../protocol/states';

/** The state's colour as a CSS value that follows theme switches by itself (for DOM elements). */
export function stateColorVar(state: LaneState): string {
  const [name, fallback] = LANE_STATE_INFO[state].color;
  return `var(${name}, ${fallback})`;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Read once per theme change (reading styles on every draw would cost layout). */
export function stateColors(): Record<LaneState, string> {
  const out = {} as Record<LaneState, string>;
  for (const [state, { color }] of Object.entries(LANE_STATE_INFO) as [LaneState, LaneStateInfo][]) out[state] = cssVar(color[0], color[1]);
  return out;
}
