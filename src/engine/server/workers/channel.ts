// The byte path between a server (which owns the socket) and the thread that serves it: two
// single-producer single-consumer rings in one SharedArrayBuffer, so an echoed message costs
// two memcpys and at most one futex wake each way, instead of two structured-clone messages.
// Counters run free (Int32, wrapping); the capacity is a power of two so `counter & mask` is
// the index even after wrap-around.

const RING_BYTES = 256 * 1024;

// Int32 words of a ring.
const HEAD = 0; // bytes written (producer)
const TAIL = 1; // bytes read (consumer)
/** 1 while the consumer sleeps waiting for data, or the producer waiting for room. */
const SLEEPING = 2;
/** Bumped on every write and every signal (end, stop): what a consumer sleeps on. */
const DATA_EV = 3;
/** Bumped on every read and every signal: what a producer sleeps on. */
const ROOM_EV = 4;
const RING_INTS = 8;

export class Ring {
  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mask = RING_BYTES - 1;

  constructor(buffer: SharedArrayBuffer, intOffset: number, byteOffset: number) {
    this.i32 = new Int32Array(buffer, intOffset * 4, RING_INTS);
    this.bytes = new Uint8Array(buffer, byteOffset, RING_BYTES);
  }

  reset(): void {
    for (let i = 0; i < RING_INTS; i++) Atomics.store(this.i32, i, 0);
    Atomics.store(this.i32, HEAD, 0);
    Atomics.store(this.i32, TAIL, 0);
    Atomics.store(this.i32, SLEEPING, 0);
  }

  get available(): number {
    return (Atomics.load(this.i32, HEAD) - Atomics.load(this.i32, TAIL)) | 0;
  }

  /** Producer: copies as much of `src` as fits; returns how much. Wakes a sleeping consumer. */
  write(src: Uint8Array): number {
    const head = Atomics.load(this.i32, HEAD);
    const n = Math.min(src.length, RING_BYTES - ((head - Atomics.load(this.i32, TAIL)) | 0));
    if (n <= 0) return 0;
    const at = head & this.mask;
    const first = Math.min(n, RING_BYTES - at);
    this.bytes.set(first === src.length ? src : src.subarray(0, first), at);
    if (first < n) this.bytes.set(src.subarray(first, n), 0);
    Atomics.store(this.i32, HEAD, (head + n) | 0);
    Atomics.add(this.i32, DATA_EV, 1);
    if (Atomics.load(this.i32, SLEEPING) !== 0) Atomics.notify(this.i32, DATA_EV);
    return n;
  }

  /** Consumer: takes up to `max` bytes (a copy the caller owns), or null when empty. Wakes a waiting producer. */
  read(max: number): Buffer | null {
    const tail = Atomics.load(this.i32, TAIL);
    const n = Math.min(max, (Atomics.load(this.i32, HEAD) - tail) | 0);
    if (n <= 0) return null;
    const out = Buffer.allocUnsafe(n);
    const at = tail & this.mask;
    const first = Math.min(n, RING_BYTES - at);
    out.set(this.bytes.subarray(at, at + first), 0);
    if (first < n) out.set(this.bytes.subarray(0, n - first), first);
    Atomics.store(this.i32, TAIL, (tail + n) | 0);
    Atomics.add(this.i32, ROOM_EV, 1);
    if (Atomics.load(this.i32, SLEEPING) !== 0) Atomics.notify(this.i32, ROOM_EV);
    return out;
  }

  /** Consumer (worker thread only): blocks until data arrives or `stop()` says to give up. */
  waitForData(stop: () => boolean): boolean {
    for (;;) {
      // Read the event count first: a write or signal after this makes the wait return at once.
      const ev = Atomics.load(this.i32, DATA_EV);
      if (this.available > 0) return true;
      if (stop()) return false;
      Atomics.store(this.i32, SLEEPING, 1);
      Atomics.wait(this.i32, DATA_EV, ev);
      Atomics.store(this.i32, SLEEPING, 0);
    }
  }

  /** Producer (worker thread only): blocks until there is room. */
  waitForRoom(stop: () => boolean): boolean {
    for (;;) {
      const ev = Atomics.load(this.i32, ROOM_EV);
      if (this.available < RING_BYTES) return true;
      if (stop()) return false;
      Atomics.store(this.i32, SLEEPING, 1);
      Atomics.wait(this.i32, ROOM_EV, ev);
      Atomics.store(this.i32, SLEEPING, 0);
    }
  }

  /** Wakes whoever sleeps on this ring, to look at the flags again (end of stream, stop). */
  signal(): void {
    Atomics.add(this.i32, DATA_EV, 1);
    Atomics.add(this.i32, ROOM_EV, 1);
    Atomics.notify(this.i32, DATA_EV);
    Atomics.notify(this.i32, ROOM_EV);
  }
}

// Channel flags (Int32 words after the two rings' words).
const FLAGS = 2 * RING_INTS;
/** 1 once the server says the stream ended (peer FIN, close): recv returns b'' when drained. */
export const F_EOF = FLAGS;
/** 1 while the server holds input back because the input ring was full. */
export const F_INPUT_HELD = FLAGS + 1;
/** 1 once the socket is gone: output has nowhere to go, a thread waiting for room gives up. */
export const F_GONE = FLAGS + 2;
const INTS = FLAGS + 4;

/** One thread's two rings and flags. Created by the server, handed to the thread at start. */
export class Channel {
  readonly i32: Int32Array;
  /** Server → thread (what the client sent). */
  readonly input: Ring;
  /** Thread → server (what the handler sends). */
  readonly output: Ring;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(INTS * 4 + 2 * RING_BYTES)) {
    this.i32 = new Int32Array(buffer, 0, INTS);
    this.input = new Ring(buffer, 0, INTS * 4);
    this.output = new Ring(buffer, RING_INTS, INTS * 4 + RING_BYTES);
  }

  /** Between jobs, while the thread is parked elsewhere: a fresh, empty channel. */
  reset(): void {
    this.input.reset();
    this.output.reset();
    Atomics.store(this.i32, F_EOF, 0);
    Atomics.store(this.i32, F_INPUT_HELD, 0);
    Atomics.store(this.i32, F_GONE, 0);
  }

  flag(f: number): boolean {
    return Atomics.load(this.i32, f) !== 0;
  }

  set(f: number, on: boolean): void {
    Atomics.store(this.i32, f, on ? 1 : 0);
  }
}

// The server's doorbell: one per pool. A thread rings it after writing output (or reading input
// the server held back); the server's single Atomics.waitAsync on it serves every thread. The
// server compares the count, so no ring is lost; the notify (a walk of V8's global waiter list)
// is only paid while the server actually sleeps on it.
export const BELL_SEQ = 0;
/** 1 while the server sleeps on the bell. */
export const BELL_SLEEPING = 1;

export function ring(bell: Int32Array): void {
  Atomics.add(bell, BELL_SEQ, 1);
  if (Atomics.load(bell, BELL_SLEEPING) !== 0) Atomics.notify(bell, BELL_SEQ);
}
