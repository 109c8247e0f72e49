// How the Follow stream shows bytes: escaped text (the same escaping the trees and terminals use,
// so a peer's control sequences are shown, never obeyed) or a classic hex dump.
import { escapeBytes } from '../protocol/escape';

export function decodeBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `00000010  68 65 6c 6c 6f 0a …  |hello.|`: 16 bytes a line, printable ASCII on the right. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n');
}

export function asText(bytes: Uint8Array): string {
  return escapeBytes(bytes);
}

/** A short label for a sequence-diagram arrow. */
export function arrowLabel(bytes: Uint8Array, size: number, max = 28): string {
  const text = escapeBytes(bytes.subarray(0, max + 8));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `${cut} (${size} B)`;
}

/** Time after the first record: `+0.000 s`, `+12.345 s`. */
export function offsetLabel(ms: number): string {
  return `+${(ms / 1000).toFixed(3)} s`;
}
