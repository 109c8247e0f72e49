import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { currentBundle } from '../../protocol/l10n';

/** The only folders a dashboard webview may load from. */
export function dashboardRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * The dashboard's page, live or replaying a recording (DESIGN §3): nothing remote, script and
 * style only by a fresh nonce.
 */
export function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title = vscode.l10n.t('Socket Lab Dashboard')): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', f)).toString();
  const csp = ["default-src 'none'", `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`, `style-src ${webview.cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join(
    '; ',
  );
  const safeTitle = title.replace(/[<>&"]/g, '');
  // The page translates its own texts with the bundle VS Code chose (an attribute: no inline script).
  const bundle = JSON.stringify(currentBundle()).replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="${vscode.env.language.replace(/[^A-Za-z-]/g, '')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}" nonce="${nonce}">
<title>${safeTitle}</title>
</head>
<body data-l10n="${bundle}">
<div id="app"></div>
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
}

/** A message from a webview, short and safe for the log. */
export function safePreview(raw: unknown): string {
  try {
    const s = JSON.stringify(raw);
    return s === undefined ? String(raw) : s.slice(0, 200);
  } catch {
    return typeof raw;
  }
}
