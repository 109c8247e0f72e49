// Every byte the load generator sends is a function of (connection, message, offset), so every
// echoed byte can be checked without keeping copies. Same formula as bench/c/echo_client.c.

export function patternByte(conn: number, seq: number, offset: number): number {
  return (Math.imul(seq, 31) + offset * 7 + conn * 13) & 0xff;
}

export function fillPattern(buf: Uint8Array, conn: number, seq: number): void {
  const base = Math.imul(seq, 31) + conn * 13;
  for (let k = 0; k < buf.length; k++) buf[k] = (base + k * 7) & 0xff;
}

/** Counts bytes of `chunk[from, to)` that differ from message `seq` starting at `offset`. */
export function countCorrupt(chunk: Uint8Array, from: number, to: number, conn: number, seq: number, offset: number): number {
  const base = Math.imul(seq, 31) + conn * 13 + offset * 7;
  let bad = 0;
  for (let i = from, k = 0; i < to; i++, k++) if (chunk[i] !== ((base + k * 7) & 0xff)) bad++;
  return bad;
}
