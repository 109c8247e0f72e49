import { LatencyHistogram } from '../../engine/metrics/histogram';
import type { Target } from '../../engine/target';
import type { ExpectKind, PayloadKind } from './payload';

export interface LoadOptions {
  readonly target: Target;
  readonly connections: number;
  readonly durationS: number;
  /** Bytes per message. */
  readonly size: number;
  /** What the messages are made of (binary when absent). */
  readonly payload?: PayloadKind;
  /** How replies are checked (echo when absent). */
  readonly expect?: ExpectKind;
  /** Total messages per second across all connections (open loop); closed loop when absent. */
  readonly rate?: number;
  /** Seconds of load before measuring starts. */
  readonly warmupS?: number;
  /** How long to wait for outstanding replies at the end before counting them missing. */
  readonly drainMs?: number;
  /** UDP: how long a datagram may stay unanswered before it counts as lost (closed loop). */
  readonly udpTimeoutMs?: number;
  readonly onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  readonly elapsedS: number;
  readonly msgs: number;
  readonly msgsPerS: number;
  readonly errors: number;
  readonly openConnections: number;
}

export interface LoadResult {
  readonly transport: Target['transport'];
  readonly target: string;
  readonly mode: 'closed' | 'open';
  readonly connections: number;
  readonly connected: number;
  readonly durationS: number;
  /** Seconds actually measured: less than durationS when every connection was closed early. */
  readonly measuredS: number;
  readonly size: number;
  readonly payload: PayloadKind;
  readonly expect: ExpectKind;
  readonly rate: number | null;
  readonly msgs: number;
  readonly msgsPerS: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly bytesVerified: number;
  readonly corruptBytes: number;
  readonly missingBytes: number;
  readonly errors: number;
  /** Stream connections the server closed (or reset) before the run ended. */
  readonly closedByServer: number;
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number; readonly mean: number };
}

/** Shared tallies of one run: every connection adds to these. */
export class LoadTally {
  readonly histogram = new LatencyHistogram();
  msgs = 0;
  msgsTotal = 0;
  bytesSent = 0;
  bytesReceived = 0;
  bytesVerified = 0;
  corruptBytes = 0;
  missingBytes = 0;
  errors = 0;
  closedByServer = 0;
  readonly errorCodes: Record<string, number> = {};
  measureFrom = 0;
  measureUntil = Infinity;

  error(code: string): void {
    this.errors++;
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
  }

  /** A reply completed: `sentAt`/`now` in ms (performance.now()). */
  complete(sentAt: number, now: number): void {
    this.msgsTotal++;
    if (sentAt >= this.measureFrom && now <= this.measureUntil) {
      this.msgs++;
      this.histogram.record((now - sentAt) * 1000);
    }
  }
}
