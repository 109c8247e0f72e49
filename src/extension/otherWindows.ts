import crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { Engine } from '../engine/engine';
import { InstanceControl, instancesDir, otherInstances, stopInstance, type ControlledEngine, type InstanceSummary } from '../engine/instances';

/**
 * Servers and labs that another window's extension host still runs. VS Code keeps the extension
 * host of a window that went away without closing (a killed browser in code-server, a dropped
 * remote connection) alive for minutes in case it reconnects, with its servers holding their
 * ports. This window answers for its own engine, and on activation asks the others and offers
 * to stop what they run.
 */
export class OtherWindows implements vscode.Disposable {
  private readonly id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  private control: Promise<InstanceControl | undefined> | undefined;
  private disposed = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Answers other windows for this engine (once it exists: an idle window has nothing to say). */
  attach(engine: Engine): void {
    this.control ??= (async () => {
      try {
        const control = await InstanceControl.open(controlled(engine), { dir: instancesDir(), id: this.id, label: vscode.workspace.name ?? 'a window with no folder' });
        if (this.disposed) control.dispose();
        return control;
      } catch (err) {
        this.log.warn(`other windows cannot see this window's servers: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    })();
  }

  /**
   * Asks the other windows what they run; offers to stop it. `quiet`: say nothing when nothing
   * runs elsewhere (at activation), rather than "nothing found" (the command).
   */
  async check(quiet: boolean): Promise<void> {
    if (process.platform === 'win32') {
      if (!quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: finding servers of other windows is not available on Windows.'));
      return;
    }
    let others: InstanceSummary[];
    try {
      others = (await otherInstances(instancesDir(), this.id)).filter((o) => o.servers.length > 0 || o.labs > 0);
    } catch (err) {
      this.log.warn(`could not look for other windows' servers: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (others.length === 0) {
      if (!quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: no other window runs servers or labs.'));
      return;
    }
    const stop = others.length === 1 ? 'Stop Them' : 'Stop Them All';
    const choice = await vscode.window.showWarningMessage(
      `Socket Lab: ${describeOthers(others)} still running in another window, perhaps one that was closed; its ports stay taken until it stops.`,
      stop,
      'Leave Them',
    );
    if (choice !== stop) return;
    const stopped = await Promise.all(others.map((o) => stopInstance(instancesDir(), o.id)));
    const count = stopped.reduce<number>((n, s) => n + (s ?? 0), 0);
    const silent = stopped.filter((s) => s === undefined).length;
    void vscode.window.showInformationMessage(
      `Socket Lab: stopped ${count} server${count === 1 ? '' : 's'} and lab${count === 1 ? '' : 's'} of other windows${silent ? `; ${silent} window${silent === 1 ? '' : 's'} did not answer` : ''}.`,
    );
  }

  dispose(): void {
    this.disposed = true;
    void this.control?.then((c) => c?.dispose());
  }
}

function controlled(engine: Engine): ControlledEngine {
  const running = () => engine.listLabs().filter((l) => l.isRunning);
  return {
    servers: () =>
      engine.listServers().map((s) => {
        const v = s.view();
        return { address: v.address, transport: v.transport, model: v.model, handler: v.handler, connections: v.liveConnections };
      }),
    runningLabs: () => running().length,
    async stopEverything() {
      const labs = running();
      const servers = engine.serverCount;
      await Promise.all([engine.stopAll(), ...labs.map((l) => l.stop())]);
      return servers + labs.length;
    },
  };
}

/** `2 servers (TCP 127.0.0.1:8080 · echo, …) and 1 lab are` */
function describeOthers(others: readonly InstanceSummary[]): string {
  const servers = others.flatMap((o) => o.servers);
  const labs = others.reduce((n, o) => n + o.labs, 0);
  const parts: string[] = [];
  if (servers.length > 0) {
    const shown = servers.slice(0, 3).map((s) => `${s.transport.toUpperCase()} ${s.address} · ${s.handler}`);
    parts.push(`${servers.length} server${servers.length === 1 ? '' : 's'} (${shown.join(', ')}${servers.length > 3 ? ', …' : ''})`);
  }
  if (labs > 0) parts.push(`${labs} lab${labs === 1 ? '' : 's'}`);
  return `${parts.join(' and ')} ${servers.length + labs === 1 ? 'is' : 'are'}`;
}
