import * as vscode from 'vscode';
import { plural } from '../protocol/format';

/** Running-server count in the status bar; hidden while nothing runs. */
export class ServersStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('socketLab.servers', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Socket Lab Servers';
    this.item.command = 'socketLab.focusServers';
  }

  update(count: number): void {
    void vscode.commands.executeCommand('setContext', 'socketLab.serverCount', count);
    if (count === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(radio-tower) ${count}`;
    this.item.tooltip = `Socket Lab: ${plural(count, 'server')} running — click to show them`;
    this.item.accessibilityInformation = { label: `Socket Lab: ${plural(count, 'server')} running` };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
