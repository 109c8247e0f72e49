import * as vscode from 'vscode';
import type { Engine } from '../engine/engine';
import type { LabRun } from '../engine/labs/labRun';
import type { Server } from '../engine/server/server';

/** The walkthrough's steps (package.json `walkthroughs`), each completed by a context key. */
export const WALKTHROUGH_STEPS = ['server', 'client', 'models', 'threads', 'event', 'processes', 'pools', 'python'] as const;
export type WalkthroughStep = (typeof WALKTHROUGH_STEPS)[number];

const LAB_STEP: Record<string, WalkthroughStep> = { threads: 'threads', processes: 'processes', pools: 'pools' };

/**
 * Marks a walkthrough step done when the user has done it — a server started, a client
 * connected, servers of two models, a lab of a group run to its end, an Event set by hand, a
 * Python program run — not when a "done" link is clicked. VS Code keeps a step's completion once
 * its context key was true.
 */
export class WalkthroughProgress implements vscode.Disposable {
  private readonly done = new Set<WalkthroughStep>();
  private readonly models = new Set<string>();
  private readonly watchedServers = new WeakSet<Server>();
  private readonly watchedLabs = new WeakSet<LabRun>();
  private readonly subscriptions: vscode.Disposable[] = [];

  /** Follows an engine from its first server or lab on. */
  attach(engine: Engine): vscode.Disposable {
    const servers = engine.onDidChangeServers(() => this.servers(engine));
    const labs = engine.onDidChangeLabs(() => this.labs(engine));
    const programs = engine.onDidChangePrograms(() => {
      if (engine.listPrograms().length) this.mark('python');
    });
    const all = vscode.Disposable.from(servers, labs, programs);
    this.subscriptions.push(all);
    return all;
  }

  /** An Event was set from its row (the Set Event command found it). */
  eventSet(): void {
    this.mark('event');
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private servers(engine: Engine): void {
    for (const server of engine.listServers()) {
      this.mark('server');
      this.models.add(server.options.model);
      if (this.models.size >= 2) this.mark('models');
      if (this.watchedServers.has(server)) continue;
      this.watchedServers.add(server);
      this.subscriptions.push(server.onAccepted(() => this.mark('client')));
    }
  }

  private labs(engine: Engine): void {
    for (const run of engine.listLabs()) {
      if (this.watchedLabs.has(run)) continue;
      this.watchedLabs.add(run);
      const step = LAB_STEP[run.definition.group];
      // Run to its end, not stopped halfway.
      if (step) void run.finished.then((outcome) => outcome && run.view().state === 'done' && this.mark(step));
    }
  }

  private mark(step: WalkthroughStep): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', `socketLab.walkthrough.${step}`, true);
  }
}
