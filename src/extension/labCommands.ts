import * as vscode from 'vscode';
import { findLab, LABS } from '../engine/labs/catalog';
import type { LabDefinition } from '../engine/labs/lab';
import type { CommandHandler } from './commands';
import type { Controller } from './controller';
import { entityId } from './pickTarget';

/** A lab from a Labs row, a lab name, or a pick. */
async function resolveLab(arg: unknown): Promise<LabDefinition | undefined> {
  const name = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'name' in arg && typeof arg.name === 'string' ? arg.name : undefined;
  if (name) return findLab(name);
  const pick = await vscode.window.showQuickPick(
    LABS.map((l) => ({ label: l.title, description: l.name, detail: l.explanation, lab: l })),
    { placeHolder: 'Lab to run', matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.lab;
}

/** Asks for each parameter, pre-filled with its default; undefined if the user backs out. */
async function askParams(def: LabDefinition): Promise<Record<string, number> | undefined> {
  const out: Record<string, number> = {};
  for (const [i, p] of def.params.entries()) {
    const value = await vscode.window.showInputBox({
      title: `${def.title}: ${p.name} (${i + 1}/${def.params.length})`,
      prompt: p.description,
      value: String(p.interactiveDefault ?? p.default),
      validateInput: (v) => {
        const n = Number(v);
        return v.trim() !== '' && Number.isFinite(n) && n >= p.min && n <= p.max ? undefined : `A number from ${p.min} to ${p.max}.`;
      },
    });
    if (value === undefined) return undefined;
    out[p.name] = Number(value);
  }
  return out;
}

async function run(c: Controller, arg: unknown, ask: boolean): Promise<void> {
  const def = await resolveLab(arg);
  if (!def) return;
  const params = ask && def.params.length ? await askParams(def) : {};
  if (!params) return;
  c.runLab(def.name, params);
}

export const labCommands: Record<string, CommandHandler> = {
  'socketLab.runLab': (c, arg) => run(c, arg, false),
  'socketLab.runLabWithParameters': (c, arg) => run(c, arg, true),
  'socketLab.stopLab': async (c, arg) => {
    // From a Threads or Sync owner row: that very run.
    if (arg && typeof arg === 'object' && 'kind' in arg && arg.kind === 'owner') {
      const id = entityId(arg);
      if (id) await c.engineIfStarted?.stopLab(id);
      return;
    }
    const all = c.engineIfStarted?.listLabs() ?? [];
    let running = all;
    if (arg !== undefined) {
      const def = await resolveLab(arg);
      running = all.filter((r) => r.definition.name === def?.name);
    } else if (all.length > 1) {
      const pick = await vscode.window.showQuickPick(
        all.map((r) => ({ label: r.definition.title, description: r.definition.name, run: r })),
        { placeHolder: 'Lab to stop' },
      );
      running = pick ? [pick.run] : [];
      if (!pick) return;
    }
    if (running.length === 0) void vscode.window.showInformationMessage('Socket Lab: that lab is not running.');
    await Promise.all(running.map((r) => r.stop()));
  },
  'socketLab.setEvent': (c, arg) => setEvent(c, arg, true),
  'socketLab.clearEvent': (c, arg) => setEvent(c, arg, false),
  'socketLab.killThread': async (c, arg) => {
    const id = entityId(arg);
    if (id && !(await c.engineIfStarted?.killActor(id))) void vscode.window.showInformationMessage('Socket Lab: that thread or process has already ended.');
  },
  'socketLab.showLabOutput': (c) => c.labOutput.show(true),
};

function setEvent(c: Controller, arg: unknown, on: boolean): void {
  const id = entityId(arg);
  if (id && !c.engineIfStarted?.setEvent(id, on)) void vscode.window.showInformationMessage('Socket Lab: that Event belongs to a lab that has ended.');
}
