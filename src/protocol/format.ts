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

/** Chinese, Japanese and Korean characters and their full-width punctuation: two columns each, and a line may break between any two. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** How many columns a text takes in a monospace-ish UI font (a wide character counts two). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/**
 * Breaks prose into lines of at most `width` columns for rows that cannot wrap (tree rows):
 * each sentence or `;`-clause starts a line, and long ones break between words (or between any two Chinese characters).
 */
export function wrapProse(text: string, width: number): string[] {
  const lines: string[] = [];
  // A sentence starts a row: after ". " in English, after "。" or "；" in Chinese.
  for (const piece of text.trim().split(/(?<=[.;:])\s+(?=\S)|(?<=[。；])(?=\S)/)) {
    let line = '';
    // Words, or single wide characters (with the punctuation that must not start a row).
    for (const [, space, word] of piece.matchAll(/(\s*)([\u3400-\u4dbf\u4e00-\u9fff][，。；：、）」』！？]*|[^\s\u3400-\u4dbf\u4e00-\u9fff]+)/g)) {
      const sep = line && space ? ' ' : '';
      if (line && displayWidth(line) + sep.length + displayWidth(word!) > width) {
        lines.push(line);
        line = word!;
      } else line += sep + word!;
    }
    if (line) lines.push(line);
  }
  return lines;
}
