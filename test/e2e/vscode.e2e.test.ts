/**
 * End to end in a real VS Code: code-server (installed by test/e2e/setup.sh) serves the workbench with this
 * extension installed, Debian's chromium drives it through playwright-core. Commands run from the palette, the
 * pipeline host does the work, and we check the files on disk and what the Dataset view shows.
 */
import assert from 'node:assert/strict';
import { CLIP_COLUMNS } from '../../pipeline/dataset';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { computePeaks } from '../../pipeline/audio/peaks';
import { readTable, writeTable } from '../../pipeline/formats/csvTable';
import { formatSegmentCsv, parseSegmentCsv } from '../../pipeline/formats/segmentTable';
import { parseTextGrid } from '../../pipeline/formats/textGrid';
import { ACTED_SENTENCES, ACTED_STYLES, espeakActed, ffmpegMeter, fixture, ROOT, tmpDir } from '../helpers';

const CODE_SERVER = path.join(ROOT, '.code-server', 'bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const missing = [CODE_SERVER, CHROMIUM].filter((f) => !fs.existsSync(f));
// CI installs both (.ci/run -> test/e2e/setup.sh); elsewhere say how, instead of failing on a missing tool
const skip = missing.length && !process.env.CI ? `not installed: ${missing.join(', ')} (run bash test/e2e/setup.sh)` : false;

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
const ws = tmpDir('sds-e2e-ws-');
let port = 0;
const browserLog: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 60000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A table VS Code may be saving right now (it writes in place): undefined until it parses. */
function readTableWhenWhole(file: string): ReturnType<typeof readTable> | undefined {
  try {
    return readTable(file);
  } catch {
    return undefined;
  }
}

async function waitForAsync(what: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!(await probe().catch(() => false))) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Opens a webview editor and waits until `ready` shows in it. In code-server every webview shares one service worker
 * scope, and a new frame can miss the "controllerchange" it waits for ("Found unexpected service worker controller"
 * in the console) and stay blank: then the webviews are reloaded (the frame finds its worker in place), and as a last
 * resort the workbench page is reloaded and the editor opened again.
 */
async function openWebview(open: () => Promise<void>, ready: () => Promise<unknown>): Promise<void> {
  await open();
  for (let attempt = 1; ; attempt++) {
    const ok = await ready().then(() => true, (e) => {
      if (attempt >= 3) throw e;
      return false;
    });
    if (ok) return;
    console.log(`# webview blank on attempt ${attempt}: ${attempt === 1 ? 'reloading webviews' : 'reloading the workbench'}`);
    if (attempt === 1) await runCommand('Developer: Reload Webviews');
    else {
      // no frame left to hold the old worker: the next one registers cleanly
      await runCommand('View: Close All Editors');
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
      await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 90000 });
      await open();
    }
  }
}

/** Ctrl+P, `query`, and the first result whose row shows `shows` (file name, then its folder). */
async function quickOpen(query: string, shows: string | RegExp = query): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Control+P');
    if (!(await input.fill(query, { timeout: 3000 }).then(() => true, () => false))) {
      await page.evaluate(() => (document.querySelector('.monaco-workbench') as HTMLElement | null)?.focus());
      continue;
    }
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: shows }).first();
    if (await row.waitFor({ timeout: 10000 }).then(() => true, () => false)) {
      // click the matching row: Enter would open the first one, which can be a deleted file from the history
      await row.click();
      return;
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`quick open found nothing for ${query}`);
}

/** Scrolls `scroller` by `step` px a frame for 120 frames: mean and 95th-percentile frame time, and its scroll size. */
async function scrollFrameTimes(scroller: Locator, prop: 'scrollLeft' | 'scrollTop', step: number): Promise<{ mean: number; p95: number; width: number }> {
  return scroller.evaluate(async (el: HTMLElement, [p, px]) => {
    const times: number[] = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      el[p as 'scrollLeft' | 'scrollTop'] += px as number;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    times.sort((a, b) => a - b);
    return { mean: times.reduce((a, b) => a + b, 0) / times.length, p95: times[Math.floor(times.length * 0.95)], width: el.scrollWidth };
  }, [prop, step] as const);
}

/** The table on disk, or undefined while VS Code is still writing it (its saves are not atomic). */
function tableOnDisk(file: string): ReturnType<typeof parseSegmentCsv> | undefined {
  try {
    return parseSegmentCsv(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs a palette command, retrying while the extension host is still registering commands. */
async function runCommand(title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('F1');
    // F1 is not always forwarded out of a focused webview: put the focus back on the workbench and try again
    if (!(await input.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false))) {
      await page.evaluate(() => {
        (document.activeElement as HTMLElement | null)?.blur();
        (document.querySelector('.monaco-workbench') as HTMLElement | null)?.focus();
      });
      continue;
    }
    // the widget can close under us (focus moving between webview and workbench): then start over
    if (!(await input.fill('>' + title, { timeout: 3000 }).then(() => true, () => false))) continue;
    // the row whose label is exactly the title: 'Undo' must not run 'Undo Last Commit', whatever the list's order
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
    if (await row.waitFor({ timeout: 1500 }).then(() => true, () => false)) {
      await row.click();
      return;
    }
    const loose = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    if (await loose.waitFor({ timeout: 1500 }).then(() => true, () => false)) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`command not in the palette: ${title}`);
}

/**
 * Runs a command and picks `item` in the quick pick it opens. A webview that takes the focus as it finishes loading
 * closes a picker opened just before it (VS Code closes pickers when they lose the focus): then the command runs
 * again.
 */
async function runCommandAndPick(title: string, item: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: item }).first();
    const input = page.locator('.quick-input-widget input.input');
    if (await row.waitFor({ timeout: 10000 }).then(() => input.fill(item, { timeout: 3000 })).then(() => true, () => false)) {
      await page.keyboard.press('Enter');
      return;
    }
    if (attempt >= 3) throw new Error(`${title}: the quick pick closed before "${item}" was picked, three times`);
    console.log(`# ${title}: the quick pick closed before "${item}" was picked (attempt ${attempt}); running it again`);
  }
}

before(async () => {
  if (skip) return;
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(ws, 'radio show (ep 1).wav'));
  const exts = tmpDir('sds-e2e-ext-');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // a bare folder <publisher>.<name>-<version> is an installed extension; a link keeps dist/, models/ and node_modules
  fs.symlinkSync(ROOT, path.join(exts, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
  const userData = tmpDir('sds-e2e-ud-');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  // speech-to-text runs the default whisper-tiny, from its npm package (a dev dependency: never a download)
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'files.autoSave': 'off' }));
  port = await freePort();
  server = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--extensions-dir', exts, '--user-data-dir', userData, ws], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (d) => (log += d));
  const t0 = Date.now();
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() - t0 > 60000) throw new Error(`code-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // the webviews' console, printed when a test fails, so a failure in CI says what the view saw
  page.on('console', (m) => browserLog.push(`${m.type()}: ${m.text()}`.slice(0, 500)));
  page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 90000 });
});

afterEach(async (t) => {
  if (skip || !page) return;
  const failed = (t as unknown as { passed?: boolean }).passed === false;
  if (failed) {
    console.log(`# browser console, last 40 lines:\n${browserLog.slice(-40).map((l) => `#   ${l}`).join('\n')}`);
    await page.screenshot({ path: path.join(os.tmpdir(), `sds-e2e-failure-${Date.now()}.png`) }).catch(() => undefined);
    // a failed test can leave an unsaved editor: its "save changes?" prompt would fail the tests after it too
    for (let i = 0; i < 10 && (await page.locator('.tab.dirty').count()) > 0; i++) {
      await page.keyboard.press('Escape');
      await page.locator('.tab.dirty').first().click().catch(() => undefined);
      await runCommand('View: Revert and Close Editor').catch(() => undefined);
    }
    // and the editors it left open: the next test's webview would be one of two
    await runCommand('View: Close All Editors').catch(() => undefined);
  }
  browserLog.length = 0;
});

after(async () => {
  await browser?.close();
  if (server?.pid) try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
});

test('palette: Segment Audio on the workspace writes the segment table and sources.csv', { skip, timeout: 180000 }, async () => {
  // before any dataset, the Dataset view's welcome content points at the first step and at the walkthrough
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Dataset/ }) }).first();
  const header = pane.locator('.pane-header').first();
  await header.waitFor({ timeout: 30000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await pane.locator('.welcome-view-content', { hasText: 'No dataset in this workspace yet' }).waitFor({ timeout: 20000 });
  await pane.locator('.welcome-view-content .monaco-button', { hasText: 'Segment and Slice' }).waitFor({ timeout: 10000 });
  // the walkthrough it links to is there, with its steps
  await pane.locator('.welcome-view-content a', { hasText: 'Open the walkthrough' }).click();
  await page.locator('.gettingStartedContainer', { hasText: 'Build a speech dataset' }).waitFor({ timeout: 20000 });
  await page.locator('.gettingStartedContainer .getting-started-step', { hasText: 'Segment and slice' }).first().waitFor({ timeout: 10000 });
  await runCommand('View: Close All Editors');

  await runCommand('SDS: Segment Audio');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Whole workspace' }).first().waitFor();
  await page.keyboard.press('Enter');
  const csv = path.join(ws, 'sds-dataset', 'segments', '0001_radio_show_ep_1.csv');
  await waitFor(csv, () => fs.existsSync(csv), 120000);
  const segs = parseSegmentCsv(fs.readFileSync(csv, 'utf8'), csv);
  assert.deepEqual([...new Set(segs.map((s) => s.label))].sort(), ['male', 'music', 'noEnergy', 'noise']);
  assert.equal(readTable(path.join(ws, 'sds-dataset', 'sources.csv'))[0].path, path.join(ws, 'radio show (ep 1).wav'));
  await page.locator('.notifications-toasts', { hasText: 'segment: 1 done' }).waitFor({ timeout: 60000 });
});

test('palette: Slice writes clips; the Dataset view lists the source with its speech seconds and clips', { skip, timeout: 180000 }, async () => {
  await runCommand('SDS: Slice Segments into Clips');
  const clipsCsv = path.join(ws, 'sds-dataset', 'clips.csv');
  await waitFor(clipsCsv, () => fs.existsSync(clipsCsv), 120000);
  const clips = readTable(clipsCsv);
  assert.equal(clips.length, 3);
  for (const c of clips) assert.ok(fs.existsSync(path.join(ws, 'sds-dataset', c.path)));
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Dataset/ }) }).first();
  const header = pane.locator('.pane-header').first();
  await header.waitFor({ timeout: 30000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const row = pane.locator('.monaco-list-row', { hasText: 'radio show (ep 1).wav' }).first();
  await row.waitFor({ timeout: 30000 });
  await page.screenshot({ path: path.join(ws, 'dataset-view.png') });
  const text = await row.innerText();
  const segs = parseSegmentCsv(fs.readFileSync(path.join(ws, 'sds-dataset', 'segments', '0001_radio_show_ep_1.csv'), 'utf8'));
  const male = segs.filter((s) => s.label === 'male').reduce((t, s) => t + s.stop - s.start, 0);
  assert.ok(text.includes(`male ${male.toFixed(1)} s · 3 clips`), text);
});

test('palette: Clean writes cleaned clips at -23 LUFS; lint puts a missing clip in the Problems panel', { skip, timeout: 180000 }, async () => {
  const dsDir = path.join(ws, 'sds-dataset');
  const rows = readTable(path.join(dsDir, 'clips.csv'));
  await writeTable(path.join(dsDir, 'clips.csv'), [...rows, { ...rows[0], path: 'clips/male/deleted_by_hand.wav' }], CLIP_COLUMNS);
  await runCommand('SDS: Clean Clips');
  await waitFor('cleaned clips', () => readTable(path.join(dsDir, 'clips.csv')).filter((r) => r.clean_path).length === rows.length, 120000);
  for (const r of readTable(path.join(dsDir, 'clips.csv')).filter((x) => x.clean_path)) {
    assert.ok(Math.abs(ffmpegMeter(path.join(dsDir, r.clean_path), Number(r.clean_rate)).I + 23) <= 0.5);
  }
  await runCommand('Problems: Focus on Problems View');
  await page.locator('.markers-panel', { hasText: 'deleted_by_hand.wav is listed but missing on disk' }).first().waitFor({ timeout: 60000 });
  // put the table back for the tests that follow
  await writeTable(path.join(dsDir, 'clips.csv'), readTable(path.join(dsDir, 'clips.csv')).filter((r) => !r.path.includes('deleted_by_hand')), CLIP_COLUMNS);
  await runCommand('View: Hide Panel');
});

test('palette: Export as NeMo writes a manifest that parses, with the cleaned clips', { skip, timeout: 120000 }, async () => {
  await runCommand('SDS: Export Dataset');
  const input = page.locator('.quick-input-widget input.input');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'nemo' }).first().waitFor();
  await input.fill('nemo');
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget', { hasText: 'Split by speaker' }).waitFor();
  await input.fill('');
  await page.keyboard.press('Enter');
  const manifest = path.join(ws, 'sds-dataset', 'export', 'nemo', 'train_manifest.json');
  await waitFor(manifest, () => fs.existsSync(manifest), 60000);
  const items = fs.readFileSync(manifest, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(items.length, readTable(path.join(ws, 'sds-dataset', 'clips.csv')).length);
  assert.ok(items.every((it) => it.audio_filepath.includes(`${path.sep}clean${path.sep}`) && fs.existsSync(it.audio_filepath)));
});

test('two stage commands started back to back on one dataset run one after the other, the second saying it waits', { skip, timeout: 180000 }, async () => {
  const dsDir = path.join(ws, 'sds-dataset');
  // VS Code shows three toasts at most: the earlier tests' would hide these two
  await runCommand('Notifications: Clear All Notifications');
  // a command line holds the dataset (a live process): both commands queue, deterministically, until it is gone
  const holder = spawn('sleep', ['120']);
  fs.writeFileSync(path.join(dsDir, '.sds', 'lock'), JSON.stringify({ pid: holder.pid, host: os.hostname(), command: 'sds export --out x', started: 't0' }));
  try {
    await runCommand('SDS: Slice Segments into Clips');
    await page.locator('.notifications-toasts', { hasText: 'waiting for "sds export --out x"' }).first().waitFor({ timeout: 30000 });
    await runCommand('SDS: Clean Clips');
    // VS Code may keep a second progress toast out of view: the notification centre lists every notification
    await runCommand('Notifications: Show Notifications');
    await page.locator('.notifications-center', { hasText: 'waiting for "VS Code: slice" to finish' }).first().waitFor({ timeout: 30000 });
    await runCommand('Notifications: Hide Notifications');
  } finally {
    holder.kill('SIGKILL');
  }
  await page.locator('.notifications-toasts, .notifications-center', { hasText: /Clean: clean: \d+ done, \d+ up to date/ }).first().waitFor({ timeout: 120000 });
  await waitFor('the lock released', () => !fs.existsSync(path.join(dsDir, '.sds', 'lock')), 30000);
  assert.ok(readTable(path.join(dsDir, 'clips.csv')).every((r) => r.clean_path), 'both ran: every clip is cleaned');
});

test('palette: Classify Clips by Tone picks the workspace\'s tone model and writes emotion columns and folders', { skip, timeout: 180000 }, async () => {
  // a small model trained by the CLI on acted espeak-ng voices, placed where the picker looks (the workspace)
  const data = tmpDir('sds-e2e-tone-');
  for (const voice of ['en', 'en+f3']) for (const style of Object.keys(ACTED_STYLES)) {
    fs.mkdirSync(path.join(data, voice.replace(/\W/g, '_'), style), { recursive: true });
    ACTED_SENTENCES.slice(0, 3).forEach((t, k) => espeakActed(t, style, voice, path.join(data, voice.replace(/\W/g, '_'), style, `${k}.wav`)));
  }
  const model = path.join(ws, 'models', 'tone-acted.onnx');
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'tone', 'train', '--data', data, '--corpus', 'folders', '--out', model, '--epochs', '20', '-q']);
  await runCommand('SDS: Classify Clips by Tone');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'tone-acted.onnx' }).first().waitFor({ timeout: 30000 });
  await page.keyboard.press('Enter');
  const clipsCsv = path.join(ws, 'sds-dataset', 'clips.csv');
  const rows = await waitFor('emotion columns', () => {
    const r = readTable(clipsCsv);
    return r.length && r.every((x) => x.emotion) ? r : undefined;
  }, 120000);
  // the table is written before the clips are placed into emotion/: the stage has finished when it says so
  await page.locator('.notifications-toasts', { hasText: 'tone classify: 3 done' }).waitFor({ timeout: 30000 });
  for (const r of rows) {
    assert.ok(['calm', 'excited', 'uncertain'].includes(r.emotion), r.emotion);
    assert.ok(Number(r.emotion_prob) >= 0.5 && Number(r.emotion_prob) <= 1);
    assert.ok(fs.existsSync(path.join(ws, 'sds-dataset', 'emotion', r.emotion, path.basename(r.clean_path || r.path))), `${r.path} placed in emotion/${r.emotion}/`);
  }
});

test('palette: Convert Segment Table writes a Praat TextGrid beside the CSV', { skip, timeout: 60000 }, async () => {
  await openWebview(() => quickOpen('0001_radio_show_ep_1.csv'),
    () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('[part~="region"]').first().waitFor({ timeout: 20000 }));
  await runCommandAndPick('SDS: Convert Segment Table', 'textgrid');
  const tg = path.join(ws, 'sds-dataset', 'segments', '0001_radio_show_ep_1.TextGrid');
  await waitFor(tg, () => fs.existsSync(tg), 20000);
  const csv = parseSegmentCsv(fs.readFileSync(path.join(ws, 'sds-dataset', 'segments', '0001_radio_show_ep_1.csv'), 'utf8'));
  assert.deepEqual(parseTextGrid(fs.readFileSync(tg, 'utf8')).map((s) => s.label), csv.map((s) => s.label));
  fs.rmSync(tg);
  await runCommand('View: Close All Editors');
});

test('timeline: a segment table opens as regions; drag a boundary, relabel, save, undo', { skip, timeout: 180000 }, async () => {
  const csvPath = path.join(ws, 'sds-dataset', 'segments', '0001_radio_show_ep_1.csv');
  const before = parseSegmentCsv(fs.readFileSync(csvPath, 'utf8'));
  const t0 = Date.now();
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const regions = view.locator('[part~="region"]');
  await openWebview(() => quickOpen('0001_radio_show_ep_1.csv'), () => regions.first().waitFor({ timeout: 20000 }));
  await view.locator('#count', { hasText: `${before.length} segments` }).waitFor();
  console.log(`# timeline first render: ${Date.now() - t0} ms (${before.length} regions, 74.5 s file)`);
  assert.equal(await regions.count(), before.length);
  // the host's spectrogram is drawn under the waveform, with its frequency labels
  await view.locator('[part~="spec-labels"]').first().waitFor({ state: 'attached', timeout: 20000 });
  assert.ok(fs.existsSync(path.join(ws, 'sds-dataset', '.sds', 'peaks', '0001_radio_show_ep_1.spectrogram.json')));

  // drag the left edge of the first male region 40 px to the right: it and its noEnergy neighbour move together
  const i = before.findIndex((s) => s.label === 'male');
  const handle = view.locator(`[part~="seg-${i}"] [part~="region-handle-left"]`);
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 20, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + 40, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  const moved = await waitFor('saved boundary move', () => {
    const t = tableOnDisk(csvPath);
    return t && t[i].start > before[i].start + 0.1 ? t : undefined;
  }, 15000);
  assert.equal(moved.length, before.length);
  assert.equal(moved[i - 1].stop, moved[i].start, 'the neighbour followed: no gap, no overlap');
  assert.equal(moved[i].stop, before[i].stop);

  // select the region and relabel it with key 2 (female)
  await view.locator(`[part~="seg-${i}"]`).click({ position: { x: 10, y: 30 } });
  await view.locator('#count', { hasText: `selected #${i + 1}: male` }).waitFor({ timeout: 10000 });
  // the selection is seen, not only named in the status text: outlined in the theme's focus colour, washed over
  const look = (k: number) => view.locator(`[part~="seg-${k}"]`).evaluate((e) => {
    const st = getComputedStyle(e);
    return { outline: st.outlineStyle, wash: st.backgroundImage };
  });
  const [chosen, other] = [await look(i), await look(i - 1)];
  assert.equal(chosen.outline, 'solid');
  assert.match(chosen.wash, /gradient/);
  assert.deepEqual(other, { outline: 'none', wash: 'none' });
  await page.keyboard.press('2');
  await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  await waitFor('saved relabel', () => tableOnDisk(csvPath)?.[i].label === 'female', 15000);

  // undo is VS Code's own, on the document
  await runCommand('Undo');
  await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  await waitFor('saved undo', () => tableOnDisk(csvPath)?.[i].label === 'male', 15000);

  // Shift+R slices this file again from the table as it is on screen: an unsaved relabel is saved first (the slice
  // had cut from the saved file: "0 done, 1 up to date"), then cut into female clips; undone, the same again
  const clipsCsv = path.join(ws, 'sds-dataset', 'clips.csv');
  const femaleClips = () => (readTableWhenWhole(clipsCsv) ?? []).filter((r) => r.source === '0001_radio_show_ep_1' && r.label === 'female').length;
  assert.equal(femaleClips(), 0);
  await page.keyboard.press('2');
  await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Shift+R');
  await waitFor('saved before slicing', () => tableOnDisk(csvPath)?.[i].label === 'female', 15000);
  await waitFor('clips cut from the relabelled region', () => femaleClips() > 0, 60000);
  await runCommand('Undo');
  await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).waitFor({ timeout: 10000 });
  await view.locator(`[part~="seg-${i}"]`).click({ position: { x: 10, y: 30 } });
  await page.keyboard.press('Shift+R');
  await waitFor('the female clips gone again', () => femaleClips() === 0 && tableOnDisk(csvPath)?.[i].label === 'male', 60000);

  // a legend chip shows or hides its label's regions, with a region selected too: it never relabels
  await view.locator(`[part~="seg-${i}"]`).click({ position: { x: 10, y: 30 } });
  await view.locator('#count', { hasText: `selected #${i + 1}: male` }).waitFor({ timeout: 10000 });
  const males = before.filter((s) => s.label === 'male').length;
  await view.locator('.chip[data-label="male"]').click();
  await view.locator('.chip.off[data-label="male"][aria-pressed="false"]').waitFor({ timeout: 10000 });
  await waitForAsync('male regions hidden', async () => (await regions.count()) === before.length - males, 10000);
  assert.equal(await page.locator('.tab.dirty', { hasText: '0001_radio_show_ep_1.csv' }).count(), 0, 'hiding is a view setting: the table is not edited');
  await view.locator('.chip[data-label="male"]').click();
  await waitForAsync('male regions shown again', async () => (await regions.count()) === before.length, 10000);
  assert.equal(tableOnDisk(csvPath)?.[i].label, 'male');

  // enroll the male region as a speaker straight from the timeline
  await view.locator(`[part~="seg-${i}"]`).click({ position: { x: 10, y: 30 } });
  await view.locator('#count', { hasText: `selected #${i + 1}: male` }).waitFor({ timeout: 10000 });
  await page.keyboard.press('e');
  await page.locator('.quick-input-widget', { hasText: 'Speaker name' }).waitFor({ timeout: 10000 });
  await page.locator('.quick-input-widget input.input').fill('host');
  await page.keyboard.press('Enter');
  const profile = path.join(ws, 'sds-dataset', 'speakers', 'host.json');
  await waitFor(profile, () => fs.existsSync(profile), 60000);
  const enrolled = JSON.parse(fs.readFileSync(profile, 'utf8'));
  assert.equal(enrolled.embedding.length, 256);
  assert.match(enrolled.clips[0], /radio show \(ep 1\)\.wav@[\d.]+-[\d.]+$/);

  // click into the music region, mark in (I), click further on, add (O): a speech region is cut out of the music
  const music = view.locator('[part~="seg-0"]');
  const mb = (await music.boundingBox())!;
  await music.click({ position: { x: mb.width * 0.3, y: mb.height * 0.7 } });
  await view.locator('#count', { hasText: 'selected #1: music' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('i');
  await music.click({ position: { x: mb.width * 0.5, y: mb.height * 0.7 } });
  await page.keyboard.press('o');
  await view.locator('#count', { hasText: `${before.length + 2} segments` }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  const added = await waitFor('saved added region', () => {
    const t = tableOnDisk(csvPath);
    return t?.length === before.length + 2 ? t : undefined;
  }, 15000);
  assert.equal(added[1].label, 'speech');
  assert.ok(added[1].start > 4 && added[1].stop < 14 && added[1].stop - added[1].start > 3, JSON.stringify(added[1]));

  // Z zooms to the selected region and scrolls to it: the last one, at the far right of the file
  const last = view.locator(`[part~="seg-${before.length + 1}"]`);
  await last.click({ position: { x: 5, y: 30 } });
  await view.locator('#count', { hasText: `selected #${before.length + 2}:` }).waitFor({ timeout: 10000 });
  await page.keyboard.press('z');
  const waveBox = (await view.locator('#wave').boundingBox())!;
  await waitForAsync('the zoomed region in view', async () => {
    const r = await last.boundingBox();
    return !!r && r.width > waveBox.width / 2 && r.x >= waveBox.x - 1 && r.x + r.width <= waveBox.x + waveBox.width + 1;
  }, 10000);
  // Play clicked, then Space: it pauses (the button had kept the focus, and Space pressed it again as well)
  const playButton = view.locator('#play');
  await playButton.click();
  await view.locator('#play', { hasText: 'Pause' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Space');
  await view.locator('#play', { hasText: 'Play' }).waitFor({ timeout: 10000 });
  for (let k = 0; k < 10; k++) await page.keyboard.press('-');

  // a change made to the file elsewhere re-renders the view (after the editor's own changes are reverted)
  await runCommand('File: Revert File');
  const external = [...before.slice(0, 2), { label: 'noise', start: before[2].start, stop: before[before.length - 1].stop }];
  fs.writeFileSync(csvPath, formatSegmentCsv(external));
  await view.locator('#count', { hasText: '3 segments' }).waitFor({ timeout: 20000 });
  assert.equal(await regions.count(), 3);
  await page.screenshot({ path: path.join(ws, 'timeline.png') });
});

test('timeline on a 1-hour file with 1,000 regions: prints first render and scroll frame times', { skip, timeout: 240000 }, async () => {
  const dir = path.join(ws, 'long');
  const audio = path.join(dir, 'hour.wav');
  fs.mkdirSync(path.join(dir, 'segments'), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', fixture('ina', 'musanmix.wav'), '-t', '3600', '-c:a', 'pcm_s16le', audio]);
  fs.writeFileSync(path.join(dir, 'sources.csv'), `id,path,sha256\n0001_hour,${audio},hour-key\n`);
  const labels = ['male', 'noEnergy', 'female', 'music', 'noise'];
  const segs = Array.from({ length: 1000 }, (_, k) => ({ label: labels[k % labels.length], start: k * 3.6, stop: (k + 1) * 3.6 }));
  fs.writeFileSync(path.join(dir, 'segments', '0001_hour.csv'), formatSegmentCsv(segs));
  const t0 = Date.now();
  await computePeaks(audio, path.join(dir, '.sds', 'peaks', '0001_hour.json'), 'hour-key');
  console.log(`# peaks for 1 hour: ${Date.now() - t0} ms (then cached)`);

  await runCommand('View: Close All Editors');
  const t1 = Date.now();
  await runCommand('Collapse Folders in Explorer');
  const explorer = page.locator('.explorer-folders-view');
  await explorer.locator('.monaco-list-row', { hasText: /^long$/ }).click();
  await explorer.locator('.monaco-list-row[aria-level="2"]', { hasText: /^segments$/ }).first().click();
  await explorer.locator('.monaco-list-row', { hasText: '0001_hour.csv' }).click();
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await view.locator('#count', { hasText: '1000 segments' }).waitFor({ timeout: 60000 });
  await view.locator('[part~="region"]').first().waitFor({ timeout: 60000 });
  console.log(`# timeline first render, 1-hour file, 1,000 regions, cached peaks: ${Date.now() - t1} ms`);

  await view.locator('#wave').click({ position: { x: 50, y: 60 } });
  for (let k = 0; k < 8; k++) await page.keyboard.press('+');
  // Playwright's CSS reaches into wavesurfer's (open) shadow root
  const stats = await scrollFrameTimes(view.locator('#wave .scroll').first(), 'scrollLeft', 400);
  console.log(`# scrolling 1,000 regions zoomed in (${stats.width} px wide): mean frame ${stats.mean.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms`);
  assert.ok(stats.width > 10000, 'zoomed in far enough to scroll');
});

test('clip table: play a clip, type transcripts with Tab between clips, save, undo; the export carries them', { skip, timeout: 180000 }, async () => {
  await runCommand('View: Close All Editors');
  const clipsCsv = path.join(ws, 'sds-dataset', 'clips.csv');
  const before = readTable(clipsCsv);
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await openWebview(() => runCommand('SDS: Open Clip Table (transcripts)'), () => view.locator('.row').nth(before.length - 1).waitFor({ timeout: 20000 }));
  assert.equal(await view.locator('.row').count(), before.length);
  await view.locator('#count', { hasText: `${before.length} of ${before.length} clips` }).waitFor();

  // play the first clip: the audio element gets the (cleaned) clip and moves
  await view.locator('.row').first().locator('button.play').click();
  await waitForAsync('the clip playing', () => view.locator('#player').evaluate((a: HTMLAudioElement) => a.src.includes('.wav') && a.currentTime > 0), 20000);

  // type, Tab to the next clip (which plays), type, Tab
  await view.locator('.row').first().locator('input.transcript').click();
  await page.keyboard.type('first clip words');
  await page.keyboard.press('Tab');
  await view.locator(`input.transcript:focus[data-path="${before[1].path}"]`).waitFor({ timeout: 10000 });
  await page.keyboard.type('second, with a "comma"');
  await page.keyboard.press('Tab');
  await page.locator('.tab.dirty', { hasText: 'clips.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  const saved = await waitFor('saved transcripts', () => {
    const t = readTableWhenWhole(clipsCsv);
    return t?.[1]?.transcript === 'second, with a "comma"' ? t : undefined;
  }, 15000);
  assert.equal(saved[0].transcript, 'first clip words');
  assert.equal(saved[0].text_source, 'human');
  assert.equal(saved.length, before.length);
  assert.equal(saved[0].emotion, before[0].emotion, 'other columns are untouched');

  // undo is VS Code's: the second transcript goes, the first stays
  await runCommand('Undo');
  await page.locator('.tab.dirty', { hasText: 'clips.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  await waitFor('saved undo', () => readTableWhenWhole(clipsCsv)?.[1]?.transcript === '' || undefined, 15000);
  assert.equal(readTable(clipsCsv)[0].transcript, 'first clip words');

  await runCommandAndPick('SDS: Export Dataset', 'ljspeech');
  await page.locator('.quick-input-widget', { hasText: 'Split by speaker' }).waitFor();
  await page.locator('.quick-input-widget input.input').fill('');
  await page.keyboard.press('Enter');
  const meta = path.join(ws, 'sds-dataset', 'export', 'ljspeech', 'metadata.csv');
  await waitFor(meta, () => fs.existsSync(meta) && fs.readFileSync(meta, 'utf8').includes('first clip words'), 60000);

  // speech-to-text from the palette (whisper-tiny, installed) fills the other clips, marked asr, and keeps the typed one
  await runCommandAndPick('SDS: Transcribe Clips', 'whisper-tiny');
  const asr = await waitFor('machine transcripts', () => {
    const t = readTableWhenWhole(clipsCsv);
    return t?.slice(1).every((x) => x.text_source === 'asr') ? t : undefined;
  }, 120000);
  assert.deepEqual(asr[0].transcript, 'first clip words');
  assert.equal(asr[0].text_source, 'human');
  const spoken = asr.filter((x) => x.text_source === 'asr' && x.transcript);
  assert.ok(spoken.length >= asr.length / 2, `real text for most clips: ${JSON.stringify(asr.map((x) => x.transcript))}`);
  assert.ok(spoken.every((x) => /[a-z]/i.test(x.transcript) && Number(x.asr_confidence) > 0), 'words and a confidence');
  // the editor reloads the file the stage wrote when VS Code's watcher says so: typing before that makes the document
  // dirty against an older file, and VS Code then refuses the save as "newer on disk", as it would for a user
  const machineRows = asr.filter((x) => x.text_source === 'asr').length;
  await view.locator('input.transcript.asr').nth(machineRows - 1).waitFor({ state: 'attached', timeout: 30000 });

  // uncertain words are underlined behind the text; F8 jumps to the next clip that has some
  const unsure = asr.filter((x) => x.text_source === 'asr' && Number(x.asr_uncertain) > 0);
  assert.ok(unsure.length > 0, `tiny is unsure of some words on a radio show: ${JSON.stringify(asr.map((x) => [x.transcript, x.asr_uncertain]))}`);
  await view.locator(`.row[data-path="${unsure[0].path}"] .words .w.uncertain`).first().waitFor({ timeout: 20000 });
  assert.equal(await view.locator(`.row[data-path="${unsure[0].path}"] .words .w.uncertain`).count(), Number(unsure[0].asr_uncertain));
  await view.locator('.row').first().locator('input.transcript').click();
  await page.keyboard.press('F8');
  await view.locator(`input.transcript:focus[data-path="${unsure[0].path}"]`).waitFor({ timeout: 10000 });

  // a correction: the words behind go (they were timed for the old text), and the saved row says a person wrote it
  // in a webview Ctrl+A goes to the workbench and comes back as "select all": typing before it is back would land
  // in front of the old text and then be replaced with it
  await page.keyboard.press('Control+A');
  const box = view.locator(`input.transcript:focus[data-path="${unsure[0].path}"]`);
  await waitForAsync('the transcript selected whole', () => box.evaluate((e: HTMLInputElement) => e.value.length > 0 && e.selectionStart === 0 && e.selectionEnd === e.value.length), 10000);
  await page.keyboard.type('corrected by a person');
  await view.locator(`.row[data-path="${unsure[0].path}"] .words:empty`).waitFor({ state: 'attached', timeout: 10000 });
  await page.keyboard.press('Tab');
  await page.locator('.tab.dirty', { hasText: 'clips.csv' }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  const fixed = await waitFor('saved correction', () => readTableWhenWhole(clipsCsv)?.find((x) => x.path === unsure[0].path && x.transcript === 'corrected by a person'), 15000);
  assert.equal(fixed.text_source, 'human');

  // the timeline of the source shows the transcripts in a lane under the regions: words, the corrected clip whole
  await runCommand('View: Close All Editors');
  await openWebview(() => quickOpen('0001_radio_show_ep_1.csv'), () => view.locator('[part~="word"]').first().waitFor({ timeout: 20000 }));
  const lane = await view.locator('[part~="word"]').allTextContents();
  assert.ok(lane.includes('corrected by a person') && lane.includes('first clip words'), `typed texts over their clips: ${lane.slice(0, 20).join(' | ')}`);
  const asrWords = asr.filter((x) => x.text_source === 'asr' && x.transcript && x.path !== unsure[0].path)
    .flatMap((x) => JSON.parse(fs.readFileSync(path.join(ws, 'sds-dataset', 'transcripts', x.path.replace(/\.wav$/, '.json')), 'utf8')).words);
  assert.equal(lane.length, asrWords.length + 2, 'every machine word, and each typed clip as one caption');
  await runCommand('View: Close All Editors');
});

test('clip table with 5,000 clips: prints first render and scroll frame times (only visible rows exist)', { skip, timeout: 180000 }, async () => {
  const dir = path.join(ws, 'big');
  fs.mkdirSync(path.join(dir, 'clips', 'male'), { recursive: true });
  const first = readTable(path.join(ws, 'sds-dataset', 'clips.csv'))[0];
  fs.copyFileSync(path.join(ws, 'sds-dataset', first.path), path.join(dir, 'clips', 'male', 'a.wav'));
  const rows = Array.from({ length: 5000 }, (_, k) => ({ path: 'clips/male/a.wav', source: `s${k % 40}`, start: String(k), end: String(k + 2), label: k % 3 ? 'male' : 'female',
    duration: (1.5 + (k % 13) / 2).toFixed(2), sample_rate: '16000', snr: String(10 + (k % 30)), transcript: k % 2 ? `clip number ${k}` : '' }));
  await writeTable(path.join(dir, 'clips.csv'), rows, CLIP_COLUMNS);
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const t0 = Date.now();
  await openWebview(() => quickOpen('big/clips.csv', /clips\.csv.*big/), () => view.locator('#count', { hasText: '5000 of 5000 clips' }).waitFor({ timeout: 20000 }));
  await view.locator('.row').first().waitFor();
  console.log(`# clip table first render, 5,000 rows: ${Date.now() - t0} ms`);
  const inDom = await view.locator('.row').count();
  assert.ok(inDom < 100, `${inDom} rows in the DOM`);
  const stats = await scrollFrameTimes(view.locator('#scroller'), 'scrollTop', 600);
  console.log(`# clip table scrolling 5,000 rows: mean frame ${stats.mean.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms`);
  // sorting and filtering the whole table
  await view.locator('#filter').fill('label=female and snr>30');
  await view.locator('#count', { hasText: /^\d+ of 5000 clips/ }).waitFor();
  const shown = Number(/^(\d+) of/.exec(await view.locator('#count').innerText())![1]);
  assert.equal(shown, rows.filter((r) => r.label === 'female' && Number(r.snr) > 30).length);
  await runCommand('View: Close All Editors');
});

test('timeline: after sds separate, V switches the waveform and audio to the vocals stem and back', { skip, timeout: 180000 }, async () => {
  await runCommand('View: Close All Editors');
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'separate', '--out', path.join(ws, 'sds-dataset'), '-q']);
  const vocals = readTable(path.join(ws, 'sds-dataset', 'sources.csv'))[0].vocals;
  assert.ok(vocals && fs.existsSync(vocals));
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await openWebview(() => quickOpen('0001_radio_show_ep_1.csv'), () => view.locator('[part~="region"]').first().waitFor({ timeout: 20000 }));
  await view.locator('#stem:not([hidden])').waitFor({ timeout: 10000 });
  await view.locator('#legend').click();
  await page.keyboard.press('v');
  await view.locator('body[data-audio*="vocals.wav"]').waitFor({ timeout: 30000 });
  assert.ok(fs.existsSync(path.join(ws, 'sds-dataset', '.sds', 'peaks', '0001_radio_show_ep_1.vocals.json')), 'the stem has its own cached peaks');
  await page.keyboard.press('v');
  await view.locator('body[data-audio*="radio"]').waitFor({ timeout: 30000 });
  await runCommand('View: Close All Editors');
});

test('palette: Ingest Audio downloads pasted URLs into sources/ and the Dataset view lists them', { skip, timeout: 120000 }, async () => {
  const wav = fs.readFileSync(fixture('ina', 'musanmix.wav')).subarray(0, 200000);
  const server = (await import('node:http')).createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': wav.length });
    res.end(wav);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/interview%20part%201.wav`;
    await runCommand('SDS: Ingest Audio');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Paste URLs' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'URLs (separated by spaces or commas)' }).waitFor();
    await page.locator('.quick-input-widget input.input').fill(url);
    await page.keyboard.press('Enter');
    const row = await waitFor('ingested source', () => readTable(path.join(ws, 'sds-dataset', 'sources.csv')).find((r) => r.url === url), 60000);
    assert.ok(row.path.startsWith(path.join(ws, 'sds-dataset', 'sources') + path.sep) && fs.statSync(row.path).size === wav.length);
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Dataset/ }) }).first();
    await pane.locator('.monaco-list-row', { hasText: path.basename(row.path) }).first().waitFor({ timeout: 30000 });
  } finally {
    server.close();
  }
});

/** Every file under `dir` with its content, by relative path (the pipeline's bookkeeping under .sds left out). */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const abs = path.join(e.parentPath, e.name);
    if (e.isFile() && !path.relative(dir, abs).startsWith('.sds')) out.set(path.relative(dir, abs), fs.readFileSync(abs).toString('base64'));
  }
  return out;
}

test('pipeline: sds.json from a snippet (the schema completes stages), Run Pipeline, relabel in the timeline, run again: only that source changes; the report renders', { skip, timeout: 300000 }, async () => {
  fs.mkdirSync(path.join(ws, 'rec'));
  fs.copyFileSync(fixture('ina', 'musanmix.wav'), path.join(ws, 'rec', 'a.wav'));
  fs.copyFileSync(fixture('librispeech', '1334-135589-0000.flac'), path.join(ws, 'rec', 'b.flac'));
  const file = path.join(ws, 'sds.json');
  fs.writeFileSync(file, '');
  await quickOpen('sds.json');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor();
  await editor.click();
  // the schema offers the stages by name inside "stage": "" (the editor closes brackets and quotes as we type)
  await page.keyboard.type('{"stages": [{"stage": "');
  // the schema is in effect once it flags the file (no "dataset" yet); until then the editor offers words only
  await page.locator('.editor-instance .squiggly-warning').first().waitFor({ state: 'attached', timeout: 30000 });
  const suggest = page.locator('.suggest-widget .monaco-list-row');
  await waitForAsync('the stages offered by the schema', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    return suggest.filter({ hasText: 'speaker-score' }).first().waitFor({ timeout: 3000 }).then(() => true, () => false);
  }, 30000);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // the podcast preset as a snippet: its tab stops are the dataset folder and the inputs
  await page.keyboard.type('sds-podcast');
  await page.keyboard.press('Control+Space');
  // the focused suggestion, not only a listed one: on a busy machine the list can still be the one for "sds-", with
  // every preset in it and another first
  await page.locator('.suggest-widget .monaco-list-row.focused', { hasText: 'sds-podcast' }).waitFor({ timeout: 20000 });
  await page.keyboard.press('Enter');
  await page.keyboard.type('ds');
  await page.keyboard.press('Tab');
  await page.keyboard.type('rec');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
  const written = await waitFor('sds.json saved', () => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }, 15000);
  assert.deepEqual([written.dataset, written.inputs, written.stages.map((s: { stage: string }) => s.stage)], ['ds', ['rec'], ['segment', 'slice', 'clean', 'lint', 'export']]);

  const ds = path.join(ws, 'ds');
  await runCommand('Notifications: Clear All Notifications');
  await runCommand('SDS: Run Pipeline (sds.json)');
  await page.locator('.notifications-toasts', { hasText: /Pipeline: segment: 2 done/ }).first().waitFor({ timeout: 180000 });
  assert.ok(fs.existsSync(path.join(ds, 'report.html')));
  const ids = readTable(path.join(ds, 'sources.csv')).map((r) => r.id);
  assert.equal(ids.length, 2);
  const before = filesUnder(ds);

  // relabel the first male region of a.wav in the timeline and save (files.autoSave is off)
  const csvPath = path.join(ds, 'segments', `${ids[0]}.csv`);
  const segs = parseSegmentCsv(fs.readFileSync(csvPath, 'utf8'));
  const i = segs.findIndex((s) => s.label === 'male');
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await openWebview(() => quickOpen(`${ids[0]}.csv`), () => view.locator('[part~="region"]').first().waitFor({ timeout: 20000 }));
  await view.locator(`[part~="seg-${i}"]`).click({ position: { x: 10, y: 30 } });
  await view.locator('#count', { hasText: `selected #${i + 1}: male` }).waitFor({ timeout: 10000 });
  await page.keyboard.press('2');
  await page.locator('.tab.dirty', { hasText: `${ids[0]}.csv` }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Control+S');
  await waitFor('saved relabel', () => tableOnDisk(csvPath)?.[i].label === 'female', 15000);
  const edited = filesUnder(ds);

  await runCommand('Notifications: Clear All Notifications');
  await runCommand('SDS: Run Pipeline (sds.json)');
  await page.locator('.notifications-toasts', { hasText: /Pipeline: segment: 0 done, 2 up to date · slice: 1 done, 1 up to date/ }).first().waitFor({ timeout: 180000 });
  const after = filesUnder(ds);
  const changed = [...new Set([...edited.keys(), ...after.keys()])].filter((f) => edited.get(f) !== after.get(f));
  assert.ok(changed.some((f) => f.endsWith('.wav') && f.includes(ids[0])), `the edited source's clips changed: ${changed.join(', ')}`);
  for (const f of [...before.keys()].filter((f) => f.includes(ids[1]))) assert.equal(after.get(f), before.get(f), `${f} stays byte-identical`);

  // the report: the same page as report.html, drawn in the webview (the only one open)
  await runCommand('View: Close All Editors');
  const report = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await openWebview(() => runCommand('SDS: Show Dataset Report'), () => report.locator('svg').first().waitFor({ timeout: 30000 }));
  await report.locator('.totals', { hasText: '2 sources' }).waitFor();
  const bars = await report.locator('svg rect').count();
  assert.ok(bars > 3, `${bars} bars drawn`);
  await page.screenshot({ path: path.join(ws, 'report.png') });

  // the Dataset view (now the pipeline's dataset): every source with its stages done
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Dataset/ }) }).first();
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  for (const name of ['a.wav', 'b.flac']) await pane.locator('.monaco-list-row', { hasText: name }).filter({ hasText: 'pipeline 3/3' }).first().waitFor({ timeout: 30000 });
});
