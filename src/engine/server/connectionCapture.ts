import { DisposableStore, type Disposable } from '../lifecycle';
import type { CaptureLimits, Followers, StreamCapture } from './streamCapture';

/** A connection (or UDP peer) whose bytes can be followed, as a server announces it. */
export interface StreamSource {
  readonly id: string;
  /** `conn 127.0.0.1:53122` */
  readonly name: string;
  /** Following starts the capture (a traced program's connection also asks its tracer to ship). */
  readonly followers: Pick<Followers, 'follow'>;
}

/** Anything that announces its new connections before reading from them. */
export interface StreamAnnouncer {
  readonly onStream: (listener: (s: StreamSource) => void) => Disposable;
  liveStreams(): Iterable<StreamSource>;
}

/**
 * Follows every connection of every server from its first byte (a recording's capture): the
 * ones open when it starts and each new one as it is accepted, up to `maxStreams`.
 */
export class ConnectionCapture implements Disposable {
  readonly captured = new Map<string, { readonly name: string; readonly capture: StreamCapture; readonly handle: Disposable }>();
  /** More connections came than `maxStreams`: the later ones were not captured. */
  capped = false;
  private readonly subscriptions = new DisposableStore();
  private disposed = false;

  constructor(
    private readonly limits: CaptureLimits,
    readonly maxStreams: number,
    private readonly onDispose: () => void,
  ) {}

  watch(server: StreamAnnouncer): void {
    if (this.disposed) return;
    for (const s of server.liveStreams()) this.add(s);
    this.subscriptions.add(server.onStream((s) => this.add(s)));
  }

  private add(s: StreamSource): void {
    if (this.disposed || this.captured.has(s.id)) return;
    if (this.captured.size >= this.maxStreams) {
      this.capped = true;
      return;
    }
    const { capture, dispose } = s.followers.follow(this.limits);
    this.captured.set(s.id, { name: s.name, capture, handle: { dispose } });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.subscriptions.dispose();
    for (const c of this.captured.values()) c.handle.dispose();
    this.onDispose();
  }
}
