// Received bytes are shown, never interpreted: a peer may send binary or terminal escape
// sequences. Valid, printable UTF-8 stays readable; everything else becomes \xNN or \u{…}.

export interface EscapeOptions {
  /** Keep `\n` as a real line break (terminal output); otherwise it is shown as `\n`. */
  readonly keepNewlines?: boolean;
}

const SIMPLE: Record<number, string> = { 0x09: '\\t', 0x0d: '\\r', 0x5c: '\\\\' };

function hex2(b: number): string {
  return '\\x' + b.toString(16).padStart(2, '0');
}

/** Code points that are valid but would reorder or hide text on screen (bidi controls, BOM, C1). */
function isInvisibleOrControl(cp: number): boolean {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp === 0xfeff;
}

/** Length of the valid UTF-8 sequence starting at i and its code point, or 0 when invalid. */
function decodeUtf8At(buf: Uint8Array, i: number): [number, number] {
  const b0 = buf[i]!;
  let len: number;
  let cp: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [len, cp, min] = [2, b0 & 0x1f, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [len, cp, min] = [3, b0 & 0x0f, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [len, cp, min] = [4, b0 & 0x07, 0x10000];
  else return [0, 0];
  if (i + len > buf.length) return [0, 0];
  for (let k = 1; k < len; k++) {
    const b = buf[i + k]!;
    if ((b & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0, 0];
  return [len, cp];
}

export function escapeBytes(buf: Uint8Array, options: EscapeOptions = {}): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      if (b === 0x0a) out += options.keepNewlines ? '\n' : '\\n';
      else if (SIMPLE[b] !== undefined) out += SIMPLE[b];
      else if (b < 0x20 || b === 0x7f) out += hex2(b);
      else out += String.fromCharCode(b);
      i++;
      continue;
    }
    const [len, cp] = decodeUtf8At(buf, i);
    if (len === 0) {
      out += hex2(b);
      i++;
    } else {
      out += isInvisibleOrControl(cp) ? `\\u{${cp.toString(16)}}` : String.fromCodePoint(cp);
      i += len;
    }
  }
  return out;
}

/** Escapes at most `maxBytes` of the input, marking the cut with `…`. */
export function previewBytes(buf: Uint8Array, maxBytes: number): string {
  if (buf.length <= maxBytes) return escapeBytes(buf);
  return escapeBytes(buf.subarray(0, maxBytes)) + '…';
}

/**
 * The inverse of `escapeBytes`, also used to let users type `\xNN` escapes in line mode.
 * Unknown escapes are kept literally.
 */
export function unescapeText(text: string): Uint8Array {
  const parts: number[] = [];
  const enc = new TextEncoder();
  const pushText = (s: string) => {
    for (const b of enc.encode(s)) parts.push(b);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= text.length) {
      const cp = text.codePointAt(i)!;
      pushText(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const next = text[i + 1]!;
    const simple: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, '\\': 0x5c };
    if (simple[next] !== undefined) {
      parts.push(simple[next]);
      i += 2;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      parts.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (next === 'u' && text[i + 2] === '{') {
      const end = text.indexOf('}', i + 3);
      const cp = end > 0 ? parseInt(text.slice(i + 3, end), 16) : NaN;
      if (Number.isFinite(cp) && cp <= 0x10ffff) {
        pushText(String.fromCodePoint(cp));
        i = end + 1;
      } else {
        pushText('\\');
        i += 1;
      }
    } else {
      pushText('\\');
      i += 1;
    }
  }
  return Uint8Array.from(parts);
}

/**
 * Escapes a byte stream chunk by chunk without garbling a UTF-8 character that the network
 * split across two reads: up to three trailing bytes of an unfinished character wait for the next chunk.
 */
export class StreamEscaper {
  private carry: Uint8Array = new Uint8Array(0);

  constructor(private readonly options: EscapeOptions = {}) {}

  write(chunk: Uint8Array): string {
    const data = this.carry.length ? concat(this.carry, chunk) : chunk;
    const keep = incompleteTail(data);
    this.carry = data.slice(data.length - keep);
    return escapeBytes(data.subarray(0, data.length - keep), this.options);
  }

  get pending(): boolean {
    return this.carry.length > 0;
  }

  flush(): string {
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    return escapeBytes(rest, this.options);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** How many trailing bytes form the start of a multi-byte character that has not finished yet. */
function incompleteTail(buf: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}
