import * as vscode from 'vscode';
import type { Redraw } from '../../feeds/nodeCache';
import type { RowModel } from '../../feeds/rowModel';
import type { StateMirror } from '../../feeds/stateMirror';
import { RedrawPacer } from '../../feeds/redrawPacer';

/**
 * The one tree provider: draws a RowModel (src/feeds) and keeps it current — redraws what the
 * model says a change redraws (paced while many rows move: src/feeds/redrawPacer.ts), timed rows
 * while the view shows.
 * Each view is a subclass that says how a row looks (`row`) and nothing else.
 */
export abstract class RowsTreeProvider<N> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<N | N[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly subscriptions: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;
  private readonly pacer = new RedrawPacer<N>((rows) => this.onDidChangeTreeDataEmitter.fire(rows));

  constructor(
    mirror: StateMirror,
    protected readonly rows: RowModel<N>,
  ) {
    this.subscriptions = [mirror.onDidChange((c) => this.redraw(rows.apply(c)))];
    if (rows.onDidRedrawLater) this.subscriptions.push(rows.onDidRedrawLater((r) => this.redraw(r)));
  }

  /** How a row looks, its tooltip included. */
  protected abstract row(element: N): vscode.TreeItem;

  /**
   * A row without its tooltip: the workbench renders a markdown tooltip (parsed and sanitised)
   * with every draw of a row, which was most of its cost of a busy tree. It asks for the tooltip
   * on hover (resolveTreeItem); a row whose tooltip changes is redrawn, so it asks again.
   */
  getTreeItem(element: N): vscode.TreeItem {
    const item = this.row(element);
    item.tooltip = undefined;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, element: N): vscode.TreeItem {
    item.tooltip = this.row(element).tooltip;
    return item;
  }

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
    if (what === 'all') this.pacer.all();
    else this.pacer.rows(what);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.pacer.cancel();
    for (const s of this.subscriptions) s.dispose();
    this.rows.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}
