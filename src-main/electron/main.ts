/**
 * The Electron shell, kept thin: one window (shown on ready-to-show) whose renderer reaches the
 * engine only through the preload bridge. contextIsolation and sandbox on, no nodeIntegration,
 * a strict Content-Security-Policy, navigation and window.open denied.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_EVENT, IPC_REQUEST } from '../../src-shared/bridge.js';
import { Engine } from '../services/engine.js';
import { setBundledWorkerDir } from '../core/spawn.js';

const here = dirname(fileURLToPath(import.meta.url));
setBundledWorkerDir(here);

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

let engine: Engine | undefined;
const windows = new Set<BrowserWindow>();

function rendererEntry(): { url?: string; file?: string } {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devUrl) return { url: devUrl };
  return { file: join(here, '../renderer/index.html') };
}

function isOwnUrl(url: string): boolean {
  const entry = rendererEntry();
  return entry.url ? url.startsWith(entry.url) : url.startsWith('file://');
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Drive Lab',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  windows.add(win);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => windows.delete(win));
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault();
  });
  const entry = rendererEntry();
  if (entry.url) void win.loadURL(entry.url);
  else void win.loadFile(entry.file!);
}

app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  engine = new Engine({ runsDir: process.env.DRIVE_LAB_RUNS_DIR ?? join(app.getPath('userData'), 'runs') });
  ipcMain.handle(IPC_REQUEST, (event, envelope: unknown) => {
    // Only our own renderer may drive the engine.
    if (!event.senderFrame || !isOwnUrl(event.senderFrame.url)) {
      return { type: 'res', id: -1, ok: false, error: { code: 'unauthorized', message: 'request from an unknown frame' } };
    }
    return engine!.dispatcher.handleEnvelope(envelope);
  });
  // Training lives in worker threads owned by this process: closing a window does not stop it,
  // and a reopened window reattaches by listing runs and subscribing to events again.
  engine.bus.onAny((channel, payload) => {
    for (const win of windows) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, channel, payload);
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', (event) => {
  if (!engine) return;
  const e = engine;
  engine = undefined;
  event.preventDefault();
  // Checkpoint and stop running training before quitting, so nothing is lost.
  void e.close().finally(() => app.quit());
});
