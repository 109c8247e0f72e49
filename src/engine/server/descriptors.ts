import fs from 'node:fs';

// libuv handles EMFILE on accept silently: it closes the client it could not take (its reserved
// descriptor trick) and never tells Node. So a server would just drop clients without a word.
// Linux shows the truth in /proc: the process's limit and its open descriptors.

let limit: number | null | undefined;

/** The soft limit on open files (ulimit -n), or null where /proc is not there. */
export function descriptorLimit(): number | null {
  if (limit !== undefined) return limit;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    limit = m && m[1] !== 'unlimited' ? Number(m[1]) : null;
  } catch {
    limit = null;
  }
  return limit;
}

/** Open descriptors now; costs a readdir, so callers rate-limit it. */
export function openDescriptors(): number | null {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch (err) {
    // Listing them takes a descriptor too: failing for lack of one is the answer.
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? (descriptorLimit() ?? null) : null;
  }
}

/** Checks are worth their readdir only this close to the limit. */
export const NEAR_LIMIT = 0.9;
