import { MAX_MESSAGE_BYTES, type ReplayPart } from '../../protocol/messages';
import { type Frame, type RecordedStream, type StreamEntry } from '../../protocol/frames';
import { type Recording } from './format';

/**
 * Splits a recording into messages under the size limit, in order: header, frames, then each
 * stream's records (a long stream is cut across parts; the webview appends by id).
 */
export function replayParts(rec: Recording, name: string, maxBytes = MAX_MESSAGE_BYTES): ReplayPart[] {
  const budget = maxBytes - 1024;
  const parts: ReplayPart[] = [];
  let frames: Frame[] = [];
  let streams: RecordedStream[] = [];
  let size = 0;
  const header = { name, startedAt: rec.startedAt, endedAt: rec.endedAt, notes: rec.notes };
  const flush = () => {
    parts.push({ index: parts.length, last: false, header: parts.length === 0 ? header : null, frames, streams });
    frames = [];
    streams = [];
    size = 0;
  };
  const sizeOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v)) + 1;
  size = sizeOf(header);
  for (const f of rec.frames) {
    const n = sizeOf(f);
    if (size + n > budget && (frames.length || streams.length)) flush();
    // A frame is already under the message limit (the feed packs them so).
    frames.push(f);
    size += n;
  }
  for (const s of rec.streams) {
    let records: StreamEntry[] = [];
    const shell = { ...s, records: [] as StreamEntry[] };
    size += sizeOf(shell);
    for (const r of s.records) {
      const n = sizeOf(r);
      if (size + n > budget) {
        streams.push({ ...shell, records });
        flush();
        records = [];
        size = sizeOf(shell);
      }
      records.push(r);
      size += n;
    }
    streams.push({ ...shell, records });
  }
  flush();
  parts[parts.length - 1] = { ...parts[parts.length - 1]!, last: true };
  return parts;
}
