import { StreamEscaper } from '../../protocol/escape';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Received bytes as terminal text: escaped (a peer cannot inject escape sequences), with a
 * `\r\n` line end shown as a line end. Telnet-style servers end lines with `\r\n`; a bare `\r`
 * would move the cursor back over the line, so it stays visible as `\r`. A `\r` that ends a
 * read waits for the next one, which may bring its `\n`.
 */
export class ReplyText {
  private readonly escaper = new StreamEscaper({ keepNewlines: true });
  private heldCr = false;

  write(chunk: Uint8Array): string {
    let data: Uint8Array = chunk;
    if (this.heldCr) {
      data = new Uint8Array(chunk.length + 1);
      data[0] = CR;
      data.set(chunk, 1);
      this.heldCr = false;
    }
    if (data.length > 0 && data[data.length - 1] === CR) {
      this.heldCr = true;
      data = data.subarray(0, data.length - 1);
    }
    return this.escaper.write(foldCrLf(data));
  }

  /**
   * An unfinished UTF-8 character is held back: worth showing (escaped) if its rest is slow to
   * come. A held `\r` is not: it shows nothing until the next byte says what it is.
   */
  get partialCharacter(): boolean {
    return this.escaper.pending;
  }

  flushPartialCharacter(): string {
    return this.escaper.flush();
  }

  /** Shows what is held back as it is (the rest did not come). */
  flush(): string {
    const text = this.escaper.flush() + (this.heldCr ? this.escaper.write(Uint8Array.of(CR)) : '');
    this.heldCr = false;
    return text;
  }
}

/** Drops the `\r` of every `\r\n`. */
function foldCrLf(data: Uint8Array): Uint8Array {
  let at = data.indexOf(CR);
  if (at < 0) return data;
  const out = new Uint8Array(data.length);
  let n = 0;
  let from = 0;
  while (at >= 0) {
    if (data[at + 1] === LF) {
      out.set(data.subarray(from, at), n);
      n += at - from;
      from = at + 1;
    }
    at = data.indexOf(CR, at + 1);
  }
  out.set(data.subarray(from), n);
  n += data.length - from;
  return out.subarray(0, n);
}
