// CPU time per group of processes over a stretch of a benchmark, read from /proc: where the
// machine's two cores went (extension host, code-server, Chromium's renderers, the load generator).
import fs from 'node:fs';

const TICK_S = 1 / 100; // USER_HZ is 100 on Linux.

export type CpuGroups = Record<string, number>;

/** CPU seconds used so far by each live process, keyed by pid, with its group. */
export function cpuSnapshot(): Map<number, { group: string; s: number }> {
  const out = new Map<number, { group: string; s: number }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(rest[11]) + Number(rest[12]);
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.set(Number(name), { group: groupOf(cmd), s: ticks * TICK_S });
    } catch {
      // The process ended while we read it.
    }
  }
  // A load generator run to completion between the snapshots has ended by the second one: its
  // time is in this process's cutime/cstime (children waited for), fields 16 and 17. A running
  // one is listed by pid like any other process.
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const rest = self.slice(self.lastIndexOf(')') + 2).split(' ');
  out.set(-1, { group: 'load generator', s: (Number(rest[13]) + Number(rest[14])) * TICK_S });
  return out;
}

function groupOf(cmd: string): string {
  if (cmd.includes('echo_client')) return 'load generator';
  if (cmd.includes('extensionHost')) return 'extension host';
  if (/chrom/i.test(cmd) && cmd.includes('--type=renderer')) return 'chromium renderer';
  if (/chrom/i.test(cmd) && cmd.includes('--type=gpu-process')) return 'chromium gpu';
  if (/chrom/i.test(cmd) && cmd.includes('--type=')) return 'chromium other';
  if (/chrom/i.test(cmd)) return 'chromium browser';
  if (cmd.includes('code-server') || cmd.includes('bootstrap-fork') || cmd.includes('out/server-main')) return 'code-server';
  return 'other';
}

/** CPU seconds per group between two snapshots (processes born in between count from zero). */
export function cpuBetween(a: Map<number, { group: string; s: number }>, b: Map<number, { group: string; s: number }>): CpuGroups {
  const groups: CpuGroups = {};
  for (const [pid, p] of b) {
    const d = p.s - (a.get(pid)?.s ?? 0);
    if (d > 0) groups[p.group] = (groups[p.group] ?? 0) + d;
  }
  return groups;
}
