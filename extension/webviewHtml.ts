import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page every webview of the extension starts from: one bundled script and stylesheet from dist/, a strict CSP
 * (nonce'd script, media and data only from the webview's own resource origin).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', `${bundle}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', `${bundle}.css`));
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource} 'unsafe-inline'`,
    `media-src ${webview.cspSource} blob:`, `connect-src ${webview.cspSource}`, `img-src ${webview.cspSource} data: blob:`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${css}"><title>${title}</title></head>
<body><div id="app"></div><script nonce="${nonce}" src="${script}"></script></body></html>`;
}
