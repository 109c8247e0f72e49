// What both tree engines (ownedRows.ts, serversRows.ts) share: one canonical node object per id —
// VS Code finds a row to redraw or reveal by the object it was given — and how a redraw is said.

/** What to redraw: every row, these rows, or (empty) nothing. */
export type Redraw<N> = 'all' | readonly N[];

export class NodeCache<N extends { readonly id: string }> {
  private readonly nodes = new Map<string, N>();

  /** The node already handed out for this id, else this one (remembered). */
  node<M extends N>(n: M): M {
    const existing = this.nodes.get(n.id);
    if (existing) return existing as M;
    this.nodes.set(n.id, n);
    return n;
  }

  get(id: string): N | undefined {
    return this.nodes.get(id);
  }

  /** Whether `n` is still the node handed out for its id (not dropped or replaced since). */
  isCurrent(n: N): boolean {
    return this.nodes.get(n.id) === n;
  }

  delete(id: string): void {
    this.nodes.delete(id);
  }

  clear(): void {
    this.nodes.clear();
  }

  values(): IterableIterator<N> {
    return this.nodes.values();
  }
}
