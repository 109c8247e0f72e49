import * as vscode from 'vscode';
import type { Redraw } from '../../feeds/nodeCache';
import type { RowModel } from '../../feeds/rowModel';
import type { StateMirror } from '../../feeds/stateMirror';

/**
 * The one tree provider: draws a RowModel (src/feeds) and keeps it current — redraws what the
 * model says a change redraws, paced redraws when they come, timed rows while the view shows.
 * Each view is a subclass that says how a row looks (`getTreeItem`) and nothing else.
 */
export abstract class RowsTreeProvider<N> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<N | N[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly subscriptions: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    mirror: StateMirror,
    protected readonly rows: RowModel<N>,
  ) {
    this.subscriptions = [mirror.onDidChange((c) => this.redraw(rows.apply(c)))];
    if (rows.onDidRedrawLater) this.subscriptions.push(rows.onDidRedrawLater((r) => this.redraw(r)));
  }

  abstract getTreeItem(element: N): vscode.TreeItem;

  /** A hidden view costs nothing: no timed redraws; shown again, it is drawn afresh. */
  setVisible(visible: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const timed = this.rows.timed;
    if (visible && timed) this.timer = setInterval(() => this.redraw(timed.rows()), timed.periodMs);
    if (visible && this.rows.reset) {
      // Changes while hidden (or while the view was opening) were not drawn.
      this.rows.reset();
      this.redraw('all');
    }
  }

  getChildren(element?: N): N[] {
    return this.rows.children(element);
  }

  getParent(element: N): N | undefined {
    return this.rows.parent(element);
  }

  /** The row of an entity this tree lists (with the rows above it, so `reveal` can walk up). */
  nodeFor(id: string): N | undefined {
    return this.rows.nodeFor(id);
  }

  protected redraw(what: Redraw<N>): void {
    if (what === 'all') this.onDidChangeTreeDataEmitter.fire(undefined);
    else if (what.length) this.onDidChangeTreeDataEmitter.fire([...what]);
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.rows.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}
