import type { WalkthroughProgress } from '../walkthrough';
import type * as vscode from 'vscode';
import type { Engine } from '../../engine/engine';
import type { LabRun } from '../../engine/labs/labRun';
import type { Dashboard } from '../dashboard/dashboard';
import type { LabOutput } from '../log';
import type { Recordings } from '../recording/recordings';
import type { CliTerminals } from '../terminals/terminals';
import type { LabTwins } from '../labs/labTwins';

/**
 * What a command may use of the extension: the commands see this, not the Controller that
 * implements it, so a command's reach is written down in one place (and there is no import
 * circle between the controller and its commands).
 */
export interface CommandContext {
  readonly log: vscode.LogOutputChannel;
  readonly terminals: CliTerminals;
  readonly labOutput: LabOutput;
  readonly dashboard: Dashboard;
  readonly recordings: Recordings;
  readonly walkthrough: WalkthroughProgress;
  /** Run in Python: each lab beside its real Python program. */
  readonly labTwins: LabTwins;
  /** The running engine, if anything started it (stop and close commands do not start one). */
  readonly engineIfStarted: Engine | undefined;
  /** The engine, started on first use. */
  engine(): Engine;
  runLab(name: string, params: Readonly<Record<string, number>>): LabRun;
  /** Scrolls a finished lab's outcome into the Labs view (its rows come with the next state tick). */
  revealLabOutcome(name: string): Promise<void>;
  revealServer(serverId: string): Promise<void>;
  revealInTree(id: string): Promise<void>;
  revealRelated(arg: unknown, relation: 'servedBy' | 'waitTarget' | 'holder'): Promise<void>;
  pickThreadFilter(): Promise<void>;
  pickConnectionFilter(): Promise<void>;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => unknown;
