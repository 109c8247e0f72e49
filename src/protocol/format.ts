// Human-readable figures shared by the CLI and the views.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** Coarse on purpose: views refresh a few times a second at most. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)} M`;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)} k`;
  return String(Math.round(perSecond));
}

/**
 * Breaks prose into lines of at most `width` characters for rows that cannot wrap (tree rows):
 * each sentence or `;`-clause starts a line, and long ones break between words.
 */
export function wrapProse(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const piece of text.trim().split(/(?<=[.;:])\s+(?=\S)/)) {
    let line = '';
    for (const word of piece.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
  }
  return lines;
}
