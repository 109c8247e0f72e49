// The wait-for graph of the Locks panel: threads point at the lock they wait for, locks at the
// thread holding them. A cycle is a deadlock; its nodes and edges are what the panel highlights.
import type { LockRow } from '../protocol/frames';

export interface GraphNode {
  readonly id: string;
  readonly name: string;
  readonly kind: 'thread' | 'lock';
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** thread → lock: waits for; lock → thread: held by. */
  readonly kind: 'waits' | 'held';
}

export interface WaitForGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Every cycle's node ids (strongly connected parts with an edge back). */
  readonly cycles: readonly (readonly string[])[];
  readonly inCycle: ReadonlySet<string>;
}

export function buildWaitForGraph(locks: Iterable<LockRow>): WaitForGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  for (const l of locks) {
    if (!l.holderId && l.waiters.length === 0) continue;
    nodes.set(l.id, { id: l.id, name: l.name, kind: 'lock' });
    if (l.holderId) {
      nodes.set(l.holderId, { id: l.holderId, name: l.holderName ?? l.holderId, kind: 'thread' });
      edges.push({ from: l.id, to: l.holderId, kind: 'held' });
    }
    for (const w of l.waiters) {
      nodes.set(w.id, { id: w.id, name: w.name, kind: 'thread' });
      edges.push({ from: w.id, to: l.id, kind: 'waits' });
    }
  }
  const cycles = stronglyConnected([...nodes.keys()], edges).filter((c) => c.length > 1 || edges.some((e) => e.from === c[0] && e.to === c[0]));
  return { nodes: [...nodes.values()], edges, cycles, inCycle: new Set(cycles.flat()) };
}

/** Tarjan's algorithm, iterative (no recursion limit on big graphs). */
function stronglyConnected(ids: readonly string[], edges: readonly GraphEdge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let next = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; i: number }[] = [{ id: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = out.get(top.id) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.id, Math.min(low.get(top.id)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      if (low.get(top.id) === index.get(top.id)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.id);
        result.push(comp.reverse());
      }
    }
  }
  return result;
}
