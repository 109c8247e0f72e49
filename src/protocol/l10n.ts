// Every layer outside the extension host's own code (engine, protocol, webview, CLI) translates
// with @vscode/l10n from the same bundle as vscode.l10n (l10n/bundle.l10n.zh-cn.json): the
// extension host hands it vscode.l10n.bundle, the webview gets it in its first message, and the
// CLI reads the file for LANG / LC_ALL / --lang. English is the key, so no bundle means English.
import * as l10n from '@vscode/l10n';
import type { Replacement } from './said';

export type Bundle = Readonly<Record<string, string>>;

let current: Bundle = {};

/** Translates from now on with `bundle` (an empty one: English). */
export function useBundle(bundle: Bundle | undefined): void {
  current = bundle ?? {};
  l10n.config({ contents: { ...current } });
}

/** The bundle in use (the extension hands it on to the dashboard). */
export function currentBundle(): Bundle {
  return current;
}

/** A message a worker said (English and its arguments), in the display language. */
export function translateSaid(message: string, args: readonly Replacement[]): string {
  return l10n.t(message, ...args);
}

/**
 * A text that is data (a lab's title, a state's name) rather than a literal at the call: the
 * bundle test collects these from the tables that hold them.
 */
export function tr(text: string): string {
  return l10n.t(text);
}
