// The recording file format (its parser is beside it). A recording is the frames a dashboard
// would have been sent, so it speaks in the dashboard's rows.
import type { Frame, RecordedStream } from '../../protocol/frames';

/**
 * A recorded session: the frames the dashboard would have been sent (from a full picture on),
 * and the connections' bytes. Replaying the frames up to a time rebuilds the picture at that time.
 */
export interface Recording {
  readonly format: 'socket-lab-recording';
  readonly version: 1;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly frames: readonly Frame[];
  readonly streams: readonly RecordedStream[];
  /** What the recording left out (limits reached), in plain words. */
  readonly notes: readonly string[];
}
