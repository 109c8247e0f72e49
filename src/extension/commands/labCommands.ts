import * as vscode from 'vscode';
import { findLab, LABS } from '../../engine/labs/catalog';
import { type LabDefinition, type LabPace, paceDefault, paceParams } from '../../engine/labs/lab';
import { tr } from '../../protocol/l10n';
import type { CommandContext, CommandHandler } from './context';
import { entityId, isTreeRow } from './pickTarget';

/**
 * The lab a command was given: a lab name, or a Labs row of one lab (its row or its outcome).
 * Anything else — no argument, the focused row of another view, a group of labs — names none.
 */
function givenLab(arg: unknown): LabDefinition | undefined {
  if (typeof arg === 'string') return findLab(arg);
  if (isTreeRow(arg) && (arg.kind === 'lab' || arg.kind === 'outcome') && 'name' in arg && typeof arg.name === 'string') return findLab(arg.name);
  return undefined;
}

/** The lab given, or the user's pick. */
async function resolveLab(arg: unknown): Promise<LabDefinition | undefined> {
  const given = givenLab(arg);
  if (given) return given;
  if (typeof arg === 'string') {
    void vscode.window.showErrorMessage(vscode.l10n.t('Socket Lab: there is no lab named "{0}".', arg));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    LABS.map((l) => ({ label: tr(l.title), description: l.name, detail: tr(l.explanation), lab: l })),
    { placeHolder: vscode.l10n.t('Lab to run'), matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.lab;
}

/** Asks for each parameter, pre-filled with its default; undefined if the user backs out. */
async function askParams(def: LabDefinition): Promise<Record<string, number> | undefined> {
  const out: Record<string, number> = {};
  for (const [i, p] of def.params.entries()) {
    const value = await vscode.window.showInputBox({
      title: `${tr(def.title)}: ${p.name} (${i + 1}/${def.params.length})`,
      prompt: tr(p.description),
      value: String(paceDefault(p, 'fast')),
      validateInput: (v) => {
        const n = Number(v);
        return v.trim() !== '' && Number.isFinite(n) && n >= p.min && n <= p.max ? undefined : vscode.l10n.t('A number from {0} to {1}.', p.min, p.max);
      },
    });
    if (value === undefined) return undefined;
    out[p.name] = Number(value);
  }
  return out;
}

/**
 * Runs a lab: at the watch pace (Run Lab), the fast one (Run Lab Fast), or with the user's
 * parameters. The Labs view shows a progress bar while it runs.
 */
async function run(c: CommandContext, arg: unknown, pace: LabPace | 'ask'): Promise<void> {
  const def = await resolveLab(arg);
  if (!def) return;
  const params = pace === 'ask' ? (def.params.length ? await askParams(def) : {}) : paceParams(def, pace);
  if (!params) return;
  const started = c.runLab(def.name, params);
  void vscode.window.withProgress({ location: { viewId: 'socketLab.labs' } }, () => started.finished);
  void started.finished.then(() => c.revealLabOutcome(def.name));
}

export const labCommands: Record<string, CommandHandler> = {
  'socketLab.runLab': (c, arg) => run(c, arg, 'watch'),
  'socketLab.runLabFast': (c, arg) => run(c, arg, 'fast'),
  'socketLab.runLabWithParameters': (c, arg) => run(c, arg, 'ask'),
  'socketLab.stopLab': async (c, arg) => {
    // From a Threads or Sync owner row: that very run.
    if (arg && typeof arg === 'object' && 'kind' in arg && arg.kind === 'owner') {
      const id = entityId(arg);
      if (id) await c.engineIfStarted?.stopLab(id);
      return;
    }
    const all = c.engineIfStarted?.listLabs() ?? [];
    let running = all;
    const named = givenLab(arg);
    if (typeof arg === 'string' && !named) running = [];
    else if (named) running = all.filter((r) => r.definition.name === named.name);
    else if (all.length > 1) {
      const pick = await vscode.window.showQuickPick(
        all.map((r) => ({ label: tr(r.definition.title), description: r.definition.name, run: r })),
        { placeHolder: vscode.l10n.t('Lab to stop') },
      );
      if (!pick) return;
      running = [pick.run];
    }
    if (running.length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: that lab is not running.'));
    await Promise.all(running.map((r) => r.stop()));
  },
  'socketLab.setEvent': (c, arg) => setEvent(c, arg, true),
  'socketLab.clearEvent': (c, arg) => setEvent(c, arg, false),
  'socketLab.killThread': async (c, arg) => {
    const id = entityId(arg);
    if (id && !(await c.engineIfStarted?.killActor(id))) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: that thread or process has already ended.'));
  },
  'socketLab.showLabOutput': (c) => c.labOutput.show(),
  'socketLab.runLabInPython': async (c, arg) => {
    const def = await resolveLab(arg);
    if (def) await c.labTwins.run(def);
  },
};

function setEvent(c: CommandContext, arg: unknown, on: boolean): void {
  const id = entityId(arg);
  if (!id) return;
  if (!c.engineIfStarted?.setEvent(id, on)) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: that Event belongs to a lab that has ended.'));
  else if (on) c.walkthrough.eventSet();
}
