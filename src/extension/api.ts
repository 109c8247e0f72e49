import type * as vscode from 'vscode';

/**
 * What `activate` returns: the views' data as VS Code itself reads them. The extension-host
 * tests (test/host) assert through it and the `vscode` API, as another extension could.
 */
export interface SocketLabApi {
  readonly trees: {
    readonly servers: vscode.TreeDataProvider<unknown>;
    readonly labs: vscode.TreeDataProvider<unknown>;
    readonly threads: vscode.TreeDataProvider<unknown>;
    readonly sync: vscode.TreeDataProvider<unknown>;
    readonly pools: vscode.TreeDataProvider<unknown>;
  };
}
