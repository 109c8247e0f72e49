import * as vscode from 'vscode';
import { type DashboardAction, type HostMessage, parseWebviewMessage } from '../../protocol/messages';
import type { FollowHandle } from '../../engine/engine';
import { DashboardFeed, SAMPLE_MS } from '../../feeds/dashboardFeed';
import { StreamFeed } from '../../feeds/streamFeed';
import { dashboardHtml, dashboardRoots, safePreview } from './webviewHtml';
import type { StateMirror } from '../../feeds/stateMirror';

export const DASHBOARD_VIEW_TYPE = 'socketLab.dashboard';

/** How often pending changes go out: ≤ 5 frames a second, two messages at most per tick. */
const TICK_MS = 200;
const MESSAGES_PER_TICK = 2;

export interface DashboardHost {
  readonly extensionUri: vscode.Uri;
  readonly mirror: StateMirror;
  readonly log: vscode.LogOutputChannel;
  /** The user selected an entity in the dashboard. */
  select(id: string): Promise<void>;
  act(action: DashboardAction, id: string): Promise<void>;
  /** Starts capturing a live connection's bytes (Follow stream) until the handle is disposed. */
  follow(id: string): FollowHandle | undefined;
}

/**
 * The dashboard webview (DESIGN §3): strict CSP with a nonce, a `ready` handshake answered with
 * a full picture, then frames of what changed at ≤ 5 Hz — and nothing at all while it is hidden
 * (the webview is not retained; it restores its own view state and asks again when shown).
 */
export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly feed: DashboardFeed;
  private readonly stream: StreamFeed;
  private lease: vscode.Disposable | undefined;
  private readonly mirrorSub: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private resetOwed = false;
  private outbox: HostMessage[] = [];
  private lastSentAt = 0;
  private revealOwed: { id: string; follow: boolean } | undefined;
  /** Messages posted so far (benchmarks read it). */
  messagesPosted = 0;
  /** The largest message since the diagnostics last read it (measured only when asked). */
  maxMessageBytes = 0;
  measureSizes = false;

  constructor(private readonly host: DashboardHost) {
    this.feed = new DashboardFeed(host.mirror);
    this.stream = new StreamFeed((id) => host.follow(id));
    this.mirrorSub = host.mirror.onDidChange((c) => {
      if (!this.ready) return;
      if (c.full) {
        this.resetOwed = true;
        return;
      }
      this.feed.note(
        [...c.added, ...c.changed].map((e) => e.id),
        c.removed.map((e) => e.id),
      );
    });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or brings forward) the dashboard; with an id, selects that entity in it (`follow`: its stream). */
  show(revealId?: string, follow = false): void {
    if (revealId) this.revealOwed = { id: revealId, follow };
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (this.ready) this.flushReveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Socket Lab Dashboard', vscode.ViewColumn.Active, this.options());
    this.attach(panel);
  }

  /** A dashboard left open when the window closed, restored by the serializer. */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.attach(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: dashboardRoots(this.host.extensionUri),
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'socket-lab.svg');
    panel.webview.html = dashboardHtml(panel.webview, this.host.extensionUri);
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidChangeViewState(() => this.setVisible(panel.visible)),
      panel.onDidDispose(() => this.detach()),
    );
    this.setVisible(panel.visible);
  }

  private detach(): void {
    this.setVisible(false);
    for (const d of this.panelDisposables.splice(0)) d.dispose();
    this.panel = undefined;
  }

  /** Hidden: no subscription, no timer, nothing sent. The webview says `ready` again when shown. */
  private setVisible(visible: boolean): void {
    if (visible) {
      this.lease ??= this.host.mirror.acquire();
      // A webview VS Code kept alive while hidden will not say `ready` again by itself: ask.
      // (One it reloads says so anyway; a second `ready` only costs a second full picture.)
      if (!this.ready) void this.panel?.webview.postMessage({ type: 'hello' } satisfies HostMessage);
      return;
    }
    this.ready = false;
    this.outbox = [];
    // Nobody is looking: stop copying the followed connection's bytes (the webview asks again).
    this.stream.follow(null);
    clearInterval(this.timer);
    this.timer = undefined;
    this.lease?.dispose();
    this.lease = undefined;
  }

  private onMessage(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    this.host.log.trace(`Dashboard ← ${safePreview(raw)}`);
    if (!m) {
      this.host.log.warn(`Dashboard: dropped a malformed message: ${safePreview(raw)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.lease ??= this.host.mirror.acquire();
        this.ready = true;
        this.resetOwed = true;
        this.timer ??= setInterval(() => this.tick(), TICK_MS);
        this.tick();
        this.flushReveal();
        break;
      case 'select':
        void this.host.select(m.id);
        break;
      case 'action':
        void this.host.act(m.action, m.id);
        break;
      case 'follow':
        this.stream.follow(m.id);
        break;
    }
  }

  private tick(): void {
    if (!this.ready || !this.panel) return;
    const now = Date.now();
    if (this.resetOwed) {
      this.resetOwed = false;
      this.outbox = [{ type: 'reset', now }, ...this.feed.reset(now).map((frame): HostMessage => ({ type: 'frame', frame }))];
    } else if (this.outbox.length === 0) {
      let frames = this.feed.flush(now);
      if (frames.length === 0 && now - this.lastSentAt >= SAMPLE_MS) frames = this.feed.samples(now);
      this.outbox.push(...frames.map((frame): HostMessage => ({ type: 'frame', frame })));
    }
    let budget = MESSAGES_PER_TICK;
    // The followed stream gets one of the tick's messages: it is what the user is reading.
    const update = this.stream.take();
    if (update) {
      this.post({ type: 'stream', update });
      budget--;
    }
    for (let i = 0; i < budget && this.outbox.length > 0; i++) this.post(this.outbox.shift()!);
  }

  private flushReveal(): void {
    const owed = this.revealOwed;
    if (!owed || !this.ready) return;
    this.revealOwed = undefined;
    // After the picture it refers to.
    this.outbox.push({ type: 'reveal', ...owed });
  }

  private post(m: HostMessage): void {
    this.messagesPosted++;
    this.lastSentAt = Date.now();
    if (this.measureSizes) this.maxMessageBytes = Math.max(this.maxMessageBytes, Buffer.byteLength(JSON.stringify(m)));
    this.panel?.webview.postMessage(m).then(undefined, (err: unknown) => this.host.log.error(`Dashboard: a ${m.type} message could not be sent`, err));
  }

  dispose(): void {
    this.panel?.dispose();
    this.detach();
    this.stream.dispose();
    this.mirrorSub.dispose();
  }
}
