import * as l10n from '@vscode/l10n';
/** `00000000  48 45 4c 4c 4f 0a  |HELLO.|` — 16 bytes a line, offsets continuing across calls. */
export function hexdump(buf: Uint8Array, startOffset = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i += 16) {
    const row = buf.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(startOffset + i).toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Parses `48 65 6c 6c 6f`, `48656c6c6f` or `0x48,0x65`; returns an error message when it is not hex. */
export function parseHex(text: string): Uint8Array | string {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s,:]+/g, '');
  if (cleaned.length === 0) return new Uint8Array(0);
  if (!/^[0-9a-fA-F]+$/.test(cleaned)) return l10n.t('not hex: "{0}" (type bytes like 48 65 6c 6c 6f)', text);
  if (cleaned.length % 2) return l10n.t('odd number of hex digits in "{0}"', text);
  return Uint8Array.from(cleaned.match(/../g)!.map((h) => parseInt(h, 16)));
}
