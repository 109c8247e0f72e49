import * as vscode from 'vscode';
import type { EntityView, LabView } from '../../protocol/views';
import { describeProgram } from '../../protocol/describe';
import { programTooltip } from './programRow';
import { OwnedRows, type OwnedNode, type OwnedRowsSpec, type RowFilter } from '../../feeds/ownedRows';
import type { StateMirror } from '../../feeds/stateMirror';
import { RowsTreeProvider } from './rowsTree';

export type { OwnedNode };

/** One view: what it lists (the rows, src/feeds/ownedRows.ts) and how each row looks. */
export interface OwnedTreeSpec<V extends EntityView> extends OwnedRowsSpec<V> {
  item(v: V, now: number): vscode.TreeItem;
  /** How a row under an entity shows its target (default: "role: name"). */
  refItem?(target: EntityView, role: string, now: number): vscode.TreeItem | undefined;
}

const GREY = new vscode.ThemeColor('disabledForeground');

/** Threads & Processes, Sync, Pools: the rows of OwnedRows (src/feeds/ownedRows.ts), drawn. */
export class OwnedTreeProvider<V extends EntityView> extends RowsTreeProvider<OwnedNode> {
  private readonly owned: OwnedRows<V>;

  constructor(
    mirror: StateMirror,
    private readonly spec: OwnedTreeSpec<V>,
  ) {
    const rows = new OwnedRows(mirror, spec);
    super(mirror, rows);
    this.owned = rows;
  }

  /** Lists only what `accepts` lets through (undefined: everything); owners with nothing left go too. */
  setFilter(filter: RowFilter<V> | undefined): void {
    this.owned.setFilter(filter);
    this.redraw('all');
  }

  get filterName(): string | undefined {
    return this.owned.filterName;
  }

  protected row(element: OwnedNode): vscode.TreeItem {
    const now = Date.now();
    if (element.kind === 'owner') {
      const o = this.owned.get(element.id);
      const item = new vscode.TreeItem(o?.name ?? element.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = element.id;
      item.contextValue = o?.kind === 'lab' && o.endedAt !== null ? 'owner.ended' : 'owner';
      if (o?.kind === 'program') {
        item.description = describeProgram(o);
        item.iconPath = new vscode.ThemeIcon(
          o.state === 'exited' ? 'debug-stop' : 'run',
          o.state === 'exited' ? GREY : o.deadlock ? new vscode.ThemeColor('errorForeground') : new vscode.ThemeColor('charts.green'),
        );
        item.contextValue = o.state === 'exited' ? 'program.ended' : 'program.running';
        item.tooltip = programTooltip(o);
      } else if (o?.kind === 'lab') {
        item.description = o.endedAt !== null ? vscode.l10n.t('{0} · kept until the lab runs again', labState(o)) : labState(o);
        item.iconPath = new vscode.ThemeIcon('beaker', o.endedAt !== null ? GREY : undefined);
      } else if (o?.kind === 'server') {
        item.description = vscode.l10n.t('{0} server', o.model);
        item.iconPath = new vscode.ThemeIcon('radio-tower');
      }
      return item;
    }
    if (element.kind === 'entity') {
      const v = this.owned.entity(element);
      if (v) {
        const item = this.spec.item(v, now);
        item.id = element.id;
        const owner = this.owned.get(element.ownerId);
        if ((owner?.kind === 'lab' || owner?.kind === 'program') && owner.endedAt !== null) greyOut(item);
        // Always expandable when the kind can have rows under it: VS Code keeps a row created
        // without children collapsed, so a lock first seen free would hide its later holder.
        if (this.spec.refs) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      return new vscode.TreeItem(vscode.l10n.t('(ended)'));
    }
    const target = this.owned.get(element.targetId);
    const custom = target && this.spec.refItem?.(target, element.role, now);
    if (custom) {
      custom.id = element.id;
      return custom;
    }
    const item = new vscode.TreeItem(`${roleText(element.role)}: ${target?.name ?? element.targetId}`);
    item.id = element.id;
    item.command = { command: 'socketLab.revealInTree', title: vscode.l10n.t('Reveal'), arguments: [element.targetId] };
    item.tooltip = vscode.l10n.t('Click to show {0} in its view', target?.name ?? element.targetId);
    item.iconPath = new vscode.ThemeIcon(element.role === 'holder' ? 'key' : 'watch');
    return item;
  }
}

/** A finished run's row: greyed icon, no actions. */
function greyOut(item: vscode.TreeItem): void {
  if (item.iconPath instanceof vscode.ThemeIcon) item.iconPath = new vscode.ThemeIcon(item.iconPath.id, GREY);
  if (item.contextValue && !item.contextValue.endsWith('.ended')) item.contextValue = `${item.contextValue.replace(/\.(alive|event\.set|event\.clear)$/, '')}.ended`;
}

/** A row's relation to the entity above it, in the display language. */
function roleText(role: string): string {
  switch (role) {
    case 'holder':
      return vscode.l10n.t('holder');
    case 'waiting':
      return vscode.l10n.t('waiting');
    case 'worker':
      return vscode.l10n.t('worker');
    default:
      return role;
  }
}

export function labState(l: LabView): string {
  if (l.state === 'running') return l.deadlock ? vscode.l10n.t('running · deadlocked') : vscode.l10n.t('running');
  return l.state === 'done' ? vscode.l10n.t('done') : l.state === 'failed' ? vscode.l10n.t('failed') : vscode.l10n.t('stopped');
}
