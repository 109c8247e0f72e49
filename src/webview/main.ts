// Dashboard browser code. Says `ready`, gets a full picture (reset + frames), then frames of what
// changed. Its own view state (tab, zoom, filter, selection) survives reloads via setState.
import './language';
import * as l10n from '@vscode/l10n';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { DashboardAction, HostMessage, WebviewMessage } from '../protocol/messages';
import { Charts } from './charts';
import { el } from './dom';
import { LocksPanel } from './locks';
import { Store } from './store';
import { StreamPanel, type StreamMode } from './stream';
import { Replay } from './replay';
import { Timeline, type LaneFilter } from './timeline';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TABS = ['timeline', 'charts', 'locks', 'stream'] as const;
type Tab = (typeof TABS)[number];

interface SavedState {
  tab: Tab;
  windowMs: number;
  filter: LaneFilter;
  selected: string | null;
  streamMode: StreamMode;
}

const vscode = acquireVsCodeApi();
/** What the CSP blocked (the tests assert there is nothing). */
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

function loadState(): SavedState {
  const s = vscode.getState() as Partial<SavedState> | undefined;
  return {
    tab: TABS.includes(s?.tab as Tab) ? (s!.tab as Tab) : 'timeline',
    windowMs: typeof s?.windowMs === 'number' && s.windowMs >= 1000 ? s.windowMs : 30_000,
    filter: s?.filter === 'live' || s?.filter === 'blocked' || s?.filter === 'lock' ? s.filter : 'all',
    selected: typeof s?.selected === 'string' ? s.selected : null,
    streamMode: s?.streamMode === 'hex' ? 'hex' : 'text',
  };
}

const saved = loadState();
const save = () => vscode.setState(saved);
const store = new Store();
/** Host clock minus ours, so "now" on the timeline is the engine's now. */
let clockOffset = 0;
/** Set once this panel replays a recording: time is then the recording's cursor. */
let replay: Replay | undefined;
/** Whether the timeline was fitted to the recording (done once, when it has loaded). */
let replayFitted = false;
const clock = () => (replay ? replay.cursor : Date.now() + clockOffset);

const select = (id: string, tell = true) => {
  saved.selected = id;
  timeline.selected = id;
  locks.selected = id;
  save();
  renderDetail();
  syncFollow();
  if (tell) vscode.postMessage({ type: 'select', id });
};

const timeline = new Timeline(store, clock, saved, (id) => select(id), save);
const charts = new Charts(store);
const locks = new LocksPanel(store, clock, (id) => select(id));
const stream = new StreamPanel(
  (id) => store.lanes.get(id)?.lane,
  saved.streamMode,
  (mode) => {
    saved.streamMode = mode;
    save();
  },
);
/** What the host was last asked to follow; undefined: ask again (a new handshake forgot it). */
let followSent: string | null | undefined;

/** The Stream tab follows the selected connection, or the connection a selected thread serves. */
function followTarget(): string | null {
  if (saved.tab !== 'stream' || !saved.selected) return null;
  const lane = store.lanes.get(saved.selected)?.lane;
  if (lane?.kind === 'connection') return lane.id;
  const served = lane?.linkId ? store.lanes.get(lane.linkId)?.lane : undefined;
  return served?.kind === 'connection' ? served.id : stream.following;
}

function syncFollow(): void {
  const id = followTarget();
  if (saved.tab === 'stream') stream.show(id);
  if (replay) {
    // A recording has its streams: nothing to ask the host.
    if (id && saved.tab === 'stream') stream.apply(replay.streamAt(id));
    return;
  }
  if (id === followSent) return;
  followSent = id;
  vscode.postMessage({ type: 'follow', id });
}
timeline.selected = saved.selected;
locks.selected = saved.selected;

const tabs = el('vscode-tabs', { 'selected-index': String(TABS.indexOf(saved.tab)) });
const titles: Record<Tab, string> = { timeline: l10n.t('Timeline'), charts: l10n.t('Charts'), locks: l10n.t('Locks'), stream: l10n.t('Follow stream') };
const bodies: Record<Tab, HTMLElement> = { timeline: timeline.root, charts: charts.root, locks: locks.root, stream: stream.root };
for (const t of TABS) tabs.append(el('vscode-tab-header', { slot: 'header', id: `tab-${t}` }, titles[t]));
for (const t of TABS) tabs.append(el('vscode-tab-panel', { id: `panel-${t}` }, bodies[t]));
tabs.addEventListener('vsc-tabs-select', (e) => {
  const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  saved.tab = TABS[i] ?? 'timeline';
  save();
  syncFollow();
  renderDetail();
});

function showTab(tab: Tab): void {
  saved.tab = tab;
  tabs.setAttribute('selected-index', String(TABS.indexOf(tab)));
  (tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(tab);
  save();
  syncFollow();
  renderDetail();
}

const detail = el('div', { class: 'detail', role: 'status', 'aria-live': 'polite' });
const status = el('div', { class: 'status' }, l10n.t('Waiting for the extension…'));
document.getElementById('app')!.append(status, tabs, detail);

function actionsFor(id: string): { action: DashboardAction; label: string }[] {
  // What a recording shows may no longer exist: it only looks.
  if (replay) return [];
  const lane = store.lanes.get(id)?.lane;
  if (lane && !lane.ended) {
    if (lane.kind === 'connection') return [{ action: 'closeConnection', label: l10n.t('Close connection') }];
    if (lane.kind === 'thread' || lane.kind === 'process') return [{ action: 'killThread', label: lane.kind === 'process' ? l10n.t('Kill process') : l10n.t('Kill thread') }];
  }
  if (store.servers.has(id) && !store.servers.get(id)!.ended) return [{ action: 'stopServer', label: l10n.t('Stop server') }];
  return [];
}

/** What the detail line last showed: it is rebuilt (buttons are custom elements) only when that changes. */
let detailKey: string | undefined;

function renderDetail(): void {
  const id = saved.selected;
  if (!id) {
    if (detailKey === '') return;
    detailKey = '';
    detail.replaceChildren(el('span', { class: 'hint' }, l10n.t('Select a lane, a lock or a graph node: it is revealed in its tree too.')));
    return;
  }
  const lane = store.lanes.get(id)?.lane;
  const lock = store.locks.get(id);
  const server = store.servers.get(id);
  const text = lane
    ? `${lane.name} · ${lane.label}${lane.group ? ` · ${lane.group}` : ''}`
    : lock
      ? `${lock.primitive} ${lock.name} · ${l10n.t('holder {0}', lock.holderName ?? '—')} · ${l10n.t('{0} waiting', lock.waiters.length)}`
      : server
        ? `${server.name} · ${l10n.t('{0} connections', server.connections)}`
        : replay
          ? l10n.t('Not present at this moment of the recording.')
          : l10n.t('The selected item has ended.');
  const actions = actionsFor(id);
  const following = lane?.kind === 'connection' && saved.tab !== 'stream';
  const nameOf = (target: string) => store.lanes.get(target)?.lane.name ?? store.locks.get(target)?.name ?? target;
  const targets = [lane?.linkId, lane?.waitingForId].filter((t): t is string => !!t);
  const key = [id, text, following, ...targets.map((t) => `${t}:${nameOf(t)}`), ...actions.map((a) => `${a.action}:${a.label}`)].join('\u0000');
  if (key === detailKey) return;
  detailKey = key;
  const buttons = actions.map((a) => {
    const b = el('vscode-button', { secondary: '', 'data-action': a.action }, a.label);
    b.addEventListener('click', () => vscode.postMessage({ type: 'action', action: a.action, id }));
    return b;
  });
  const links: HTMLElement[] = [];
  if (following) {
    const f = el('vscode-button', { secondary: '', 'data-follow': id, title: l10n.t('See what crosses this connection') }, l10n.t('Follow stream'));
    f.addEventListener('click', () => showTab('stream'));
    links.push(f);
  }
  for (const target of targets) {
    const a = el('vscode-button', { secondary: '', 'data-link': target, title: l10n.t('Select it') }, `→ ${nameOf(target)}`);
    a.addEventListener('click', () => reveal(target, true));
    links.push(a);
  }
  detail.replaceChildren(el('span', { class: 'detail-text' }, text), ...links, ...buttons);
}

/** Selects and shows an entity: from the tree (the host asks) or from a link here. */
function reveal(id: string, tell: boolean, follow = false): void {
  let tab: Tab | undefined;
  if (follow) tab = 'stream';
  else if (store.lanes.has(id)) {
    tab = 'timeline';
    timeline.show(id);
  } else if (store.locks.has(id)) tab = 'locks';
  else if (store.servers.has(id) || store.pools.has(id)) tab = 'charts';
  select(id, tell);
  if (tab) showTab(tab);
}

let messages = 0;
window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  messages++;
  if (!m || typeof m !== 'object') return;
  // A frame of figures only (the charts' numbers) changes nothing on the timeline: no frame for
  // it there. Every frame the webview asks for is a frame of the whole workbench page.
  if (m.type !== 'frame' || saved.tab !== 'timeline') requestDraw();
  switch (m.type) {
    case 'hello':
      followSent = undefined;
      vscode.postMessage({ type: 'ready' });
      break;
    case 'reset':
      // A new handshake: the host follows nothing until asked again.
      followSent = undefined;
      queueMicrotask(syncFollow);
      store.reset(m.now);
      clockOffset = m.now - Date.now();
      status.textContent = '';
      status.hidden = true;
      break;
    case 'frame': {
      const lanes = store.lanesVersion;
      store.apply(m.frame);
      if (saved.tab === 'timeline' && store.lanesVersion !== lanes) requestDraw();
      // The smaller offset wins: a frame can only arrive after it was stamped.
      clockOffset = Math.max(clockOffset, m.frame.now - Date.now());
      if (saved.selected) renderDetail();
      break;
    }
    case 'reveal':
      reveal(m.id, false, m.follow);
      break;
    case 'stream':
      stream.apply(m.update);
      break;
    case 'replay':
      if (!replay) {
        replay = new Replay(store, () => {
          syncFollow();
          if (saved.selected) renderDetail();
          requestDraw();
        });
        document.getElementById('app')!.prepend(replay.root);
        stream.replaying = true;
        status.hidden = true;
      }
      replay.add(m.part);
      if (replay.data.complete && !replayFitted) {
        // Once, when it opens: the user's own zoom afterwards is theirs.
        replayFitted = true;
        const h = replay.data.header!;
        timeline.fit(h.endedAt - h.startedAt);
      }
      break;
  }
});

// Theme switches change the colours the canvas and charts were drawn with.
new MutationObserver(() => {
  timeline.themeChanged();
  charts.themeChanged();
  requestDraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

/** Time between drawn animation frames (ms), for the frame-time benchmark. */
const frameIntervals: number[] = [];
let lastFrameAt = 0;
let frameQueued = false;
let dueTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Frames are asked for, not run every vsync: an animation-frame callback pending makes the whole
 * workbench page (this webview shares its renderer) run a frame each vsync, even when nothing
 * changed — measured at about a fifth of a core in software rendering. So a frame is requested
 * when something arrives or the user acts, and otherwise when time alone would move the picture.
 */
function requestDraw(): void {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(frame);
}

function frame(at: number): void {
  frameQueued = false;
  if (lastFrameAt) frameIntervals.push(at - lastFrameAt);
  lastFrameAt = at;
  if (frameIntervals.length > 4000) frameIntervals.splice(0, 2000);
  if (saved.tab === 'timeline') timeline.draw();
  else if (saved.tab === 'charts') charts.render();
  else if (saved.tab === 'locks') locks.render();
  else stream.render();
  // Elsewhere than the timeline only elapsed times move on their own: once a second is enough.
  clearTimeout(dueTimer);
  dueTimer = setTimeout(requestDraw, saved.tab === 'timeline' ? timeline.nextDueMs() : 1000);
}

// Anything the user does may change the picture (scroll, zoom, drag, filter, resize).
for (const type of ['wheel', 'mousedown', 'mouseup', 'mousemove', 'keydown', 'click', 'change', 'resize'] as const) window.addEventListener(type, requestDraw, { passive: true, capture: true });
tabs.addEventListener('vsc-tabs-select', requestDraw);

renderDetail();
requestDraw();
vscode.postMessage({ type: 'ready' });

// Exposed for the end-to-end tests and the frame-time benchmark (read-only figures).
(window as unknown as { socketLabDashboard: unknown }).socketLabDashboard = {
  lanes: () => [...store.lanes.values()].map((r) => ({ id: r.lane.id, name: r.lane.name, kind: r.lane.kind, state: r.lane.state, spans: r.spans.length })),
  drawTimes: () => timeline.drawTimes.slice(),
  arrows: () => timeline.arrows.map((a) => ({ from: store.lanes.get(a.from)?.lane.name ?? a.from, to: store.lanes.get(a.to)?.lane.name ?? a.to })),
  frameIntervals: () => frameIntervals.slice(),
  resetFrames: () => {
    frameIntervals.length = 0;
    timeline.drawTimes.length = 0;
  },
  violations: () => violations.slice(),
  counts: () => ({ lanes: store.lanes.size, locks: store.locks.size, servers: store.servers.size, pools: store.pools.size, messages, tab: saved.tab }),
  replay: () => (replay?.data.header ? { ...replay.data.header, cursor: replay.cursor, frames: replay.data.frames.length, complete: replay.data.complete } : null),
};
