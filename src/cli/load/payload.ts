import { upperAscii } from '../../engine/server/handlers';
import { countCorrupt, fillPattern } from './pattern';

// What the load generator sends (--payload) and what it accepts back (--expect). Binary messages
// exercise every byte value; text messages are for servers that decode, split lines or
// upper-case, as the tutorials' servers do. Every message is still a function of (connection,
// message number), so replies are checked without keeping copies of what was sent.

export const PAYLOAD_KINDS = ['binary', 'text'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/**
 * echo: byte-exact; upper: ASCII upper case; any: some bytes back; none: nothing back; greeting:
 * nothing sent, each connection reads what the server sends until it closes (src/cli/load/greeting.ts).
 */
export const EXPECT_KINDS = ['echo', 'upper', 'any', 'none', 'greeting'] as const;
export type ExpectKind = (typeof EXPECT_KINDS)[number];

export function isPayloadKind(v: string): v is PayloadKind {
  return (PAYLOAD_KINDS as readonly string[]).includes(v);
}

export function isExpectKind(v: string): v is ExpectKind {
  return (EXPECT_KINDS as readonly string[]).includes(v);
}

// Letters and digits only: valid UTF-8 one byte per character (so a recv() boundary never splits
// a character), nothing a line-based server trims or treats as a command separator, and a mix of
// cases so an upper-casing server visibly changes it.
const TEXT_ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'latin1');
const NEWLINE = 0x0a;

/** A text message: a line of letters and digits whose last byte is `\n`. */
export function fillText(buf: Uint8Array, conn: number, seq: number): void {
  if (buf.length === 0) return;
  let i = ((Math.imul(seq, 31) + conn * 13) >>> 0) % TEXT_ALPHABET.length;
  const last = buf.length - 1;
  for (let k = 0; k < last; k++) {
    buf[k] = TEXT_ALPHABET[i]!;
    i += 7;
    if (i >= TEXT_ALPHABET.length) i -= TEXT_ALPHABET.length;
  }
  buf[last] = NEWLINE;
}

/** `n` random letters and digits with a `\n` after every `lineLength - 1`, the last line unterminated. */
export function randomText(n: number, lineLength: number, random: (n: number) => Buffer): Buffer {
  const out = random(n);
  for (let k = 0; k < n; k++) out[k] = (k + 1) % lineLength === 0 && k !== n - 1 ? NEWLINE : TEXT_ALPHABET[out[k]! % TEXT_ALPHABET.length]!;
  return out;
}

export function fillMessage(kind: PayloadKind, buf: Uint8Array, conn: number, seq: number): void {
  if (kind === 'text') fillText(buf, conn, seq);
  else fillPattern(buf, conn, seq);
}

/** The reply a server should send to `sent` under `expect`; undefined when any reply will do. */
export function expectedReply(sent: Buffer, expect: ExpectKind): Buffer | undefined {
  if (expect === 'echo') return sent;
  if (expect === 'upper') return upperAscii(sent);
  if (expect === 'none') return Buffer.alloc(0);
  return undefined; // any, greeting
}

const DIGIT_SEQ_BYTES = 8;
const DIGIT_SEQ_MODULUS = 10 ** DIGIT_SEQ_BYTES;

/**
 * The messages of one connection: how to make message `seq`, how to check its reply, and (for
 * datagrams, which may be lost or reordered) how to number it inside its own bytes.
 */
export class MessageFormat {
  /** Bytes at the start of a datagram that carry its number (0: too small to carry one). */
  readonly seqBytes: number;
  private readonly scratch: Buffer;
  private expected: Buffer;
  private expectedSeq = -1;

  constructor(
    readonly payload: PayloadKind,
    readonly expect: ExpectKind,
    readonly size: number,
    private readonly conn: number,
  ) {
    this.scratch = Buffer.allocUnsafe(size);
    this.expected = this.scratch;
    // A binary echo carries a 4-byte big-endian number, as it always has. Anything that must stay
    // text, or may be upper-cased, carries 8 decimal digits: unchanged by upper case, and a text
    // message keeps its final newline.
    this.seqBytes = this.binarySeq ? (size >= 4 ? 4 : 0) : size >= DIGIT_SEQ_BYTES + (payload === 'text' ? 1 : 0) ? DIGIT_SEQ_BYTES : 0;
  }

  private get binarySeq(): boolean {
    return this.payload === 'binary' && this.expect === 'echo';
  }

  /** Whether replies are compared byte by byte with what was sent. */
  get checksBytes(): boolean {
    return this.expect === 'echo' || this.expect === 'upper';
  }

  fill(buf: Uint8Array, seq: number): void {
    fillMessage(this.payload, buf, this.conn, seq);
  }

  /** Writes the datagram number into the first `seqBytes` bytes. */
  stampSeq(buf: Buffer, seq: number): void {
    if (this.seqBytes === 0) return;
    if (this.binarySeq) buf.writeUInt32BE(seq >>> 0, 0);
    else buf.write(String(seq % DIGIT_SEQ_MODULUS).padStart(DIGIT_SEQ_BYTES, '0'), 0, DIGIT_SEQ_BYTES, 'latin1');
  }

  /** The key a datagram's number is kept under: what `readSeq` gives back for it. */
  seqKey(seq: number): number {
    return this.binarySeq ? seq >>> 0 : seq % DIGIT_SEQ_MODULUS;
  }

  /** The number a reply datagram carries; undefined when it carries none that could be ours. */
  readSeq(msg: Buffer): number | undefined {
    if (this.seqBytes === 0 || msg.length < this.seqBytes) return undefined;
    if (this.binarySeq) return msg.readUInt32BE(0);
    let n = 0;
    for (let k = 0; k < DIGIT_SEQ_BYTES; k++) {
      const d = msg[k]! - 0x30;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
    }
    return n;
  }

  /** Counts bytes of `chunk[from, to)` that differ from the expected reply to message `seq` from `offset`. */
  corrupt(chunk: Uint8Array, from: number, to: number, seq: number, offset: number): number {
    // The common case keeps its tight loop: no expected copy to build.
    if (this.binarySeq) return countCorrupt(chunk, from, to, this.conn, seq, offset);
    if (this.expectedSeq !== seq) {
      this.fill(this.scratch, seq);
      this.expected = this.expect === 'upper' ? upperAscii(this.scratch) : this.scratch;
      this.expectedSeq = seq;
    }
    const expected = this.expected;
    let bad = 0;
    for (let i = from, k = offset; i < to; i++, k++) if (chunk[i] !== expected[k]) bad++;
    return bad;
  }
}
