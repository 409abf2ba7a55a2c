import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { readClipTable } from '../../pipeline/formats/csvTable';
import { fixture, sds, tmpDir } from '../helpers';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

test('sds run ends with report.html: self-contained, drawn offline in light and dark, its numbers those of clips.csv', { skip: !fs.existsSync(CHROMIUM) && 'no chromium (bash test/e2e/setup.sh)' }, async () => {
  const dir = tmpDir('sds-report-');
  fs.writeFileSync(path.join(dir, 'sds.json'), JSON.stringify({ dataset: 'ds', inputs: [fixture('librispeech')], stages: [
    { stage: 'segment', options: { 'gender-method': 'pitch' } }, { stage: 'slice', options: { min: 1 } }, { stage: 'clean', options: { preset: 'seed' } },
  ] }));
  const r = sds('run', '--config', path.join(dir, 'sds.json'), '-q');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const file = path.join(dir, 'ds', 'report.html');
  assert.match(r.stdout, /report: 1 processed[\s\S]*report\.html \(\d+ clips/);
  const html = fs.readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no remote script, style or font');
  const clips = readClipTable(path.join(dir, 'ds', 'clips.csv'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ colorScheme });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (q) => !q.url().startsWith('file:') && problems.push(`loads ${q.url()}`));
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => document.body.dataset.rendered !== undefined);
      assert.deepEqual(problems, []);
      // labels, durations, loudness and SNR before/after, transcripts: drawn; emotions and similarity say how to get them
      assert.ok(Number(await page.evaluate(() => document.body.dataset.rendered)) >= 5);
      assert.equal(await page.locator('svg rect').count() > clips.length / 2, true, 'bars drawn');
      assert.match(await page.locator('.totals').innerText(), new RegExp(`^4 sources · ${clips.length} clips \\(${clips.length} kept\\)`));
      assert.equal(await page.locator('section:last-of-type tbody tr').count(), 4, 'one row per source');
      assert.match(await page.locator('body').innerText(), /No emotion scores yet: run the tone-classify stage/);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg === 'rgb(255, 255, 255)', colorScheme === 'light', `${colorScheme}: ${bg}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  // nothing changed: the report is not rewritten
  const again = sds('run', '--config', path.join(dir, 'sds.json'), '-q');
  assert.match(again.stdout, /report: 0 processed, 1 up to date[\s\S]*: unchanged/);
});
