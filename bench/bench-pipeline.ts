/**
 * The pipeline, part of `npm run bench`:
 * 0. the default stages from a raw MP3 to an LJSpeech folder, x real time and CPU per stage (BENCH_DEFAULT_ONLY=1: only this);
 * 1. the seed-radio pipeline on the bench's long programme, without separation and then with it: x real time per
 *    stage and in total, beside the ffmpeg decode floor of the same file, and the run's peak RSS;
 * 2. a second run with nothing changed, on a dataset of BENCH_SOURCES (1,000) short sources: its wall time;
 * 3. one segment table of BENCH_EDIT_SOURCES (50) edited: what the next run redoes (stage counts) and its time.
 * The tone stage needs a model the user trains, so the seed-radio run here stops at the speaker filter and lint.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeWav } from '../pipeline/audio/wav';
import { readClipTable, readTable } from '../pipeline/formats/csvTable';
import { formatSegmentCsv, parseSegmentCsv } from '../pipeline/formats/segmentTable';
import { buildLong, childCpuSeconds, decodeFloor, OUT, ROOT } from './benchAudio';

const CLI = path.join(ROOT, 'dist', 'cli.js');

interface Run { wall: number; rssMb: number; stages: Map<string, { seconds: number; processed: number; skipped: number }> }

function run(config: string): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'run', '--config', config, '-q'], { encoding: 'utf8', env: { ...process.env, SDS_REPORT_RSS: '1' } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`sds run --config ${config}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const stages = new Map<string, { seconds: number; processed: number; skipped: number }>();
  for (const m of r.stdout.matchAll(/^([\w -]+?): (\d+) processed, (\d+) up to date, \d+ failed(?: in ([\d.]+) s)?$/gm)) {
    stages.set(m[1].replace(' ', '-'), { processed: Number(m[2]), skipped: Number(m[3]), seconds: Number(m[4] ?? 0) });
  }
  return { wall, rssMb: Number(/peak_rss_mb=(\d+)/.exec(r.stderr)?.[1] ?? NaN), stages };
}

function writeConfig(dir: string, body: object): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sds.json');
  fs.writeFileSync(file, JSON.stringify(body, null, 2));
  return file;
}

/** 1. seed-radio on one long programme: the host enrolled from the programme itself (its cleanest stretches). */
function wholePipeline(minutes: number): void {
  const file = buildLong(minutes);
  const floor = decodeFloor(file);
  const audio = minutes * 60;
  // the CLI prints tenths of a second: a stage under 0.05 s is faster than the table can say
  const x = (s: number) => (s > 0 ? `${(audio / s).toFixed(0)}x` : `> ${(audio / 0.05).toFixed(0)}x`);
  console.log(`\n| seed-radio pipeline, ${minutes}-min programme (ffmpeg decode floor ${x(floor)}) | ${['separate', 'segment', 'slice', 'clean', 'speaker-enroll', 'speaker-score', 'lint', 'report'].join(' | ')} | total | peak RSS |`);
  console.log(`|---|${'---|'.repeat(10)}`);
  for (const separated of [false, true]) {
    const on = separated ? { on: 'vocals' } : {};
    const config = writeConfig(path.join(OUT, `pipeline-seed-radio${separated ? '-separated' : ''}`), {
      dataset: 'ds', inputs: [file], stages: [
        ...(separated ? [{ stage: 'separate' }] : []),
        { stage: 'segment', options: { engine: 'smn', ...on } },
        { stage: 'slice', options: { labels: ['male'], min: 1.5, ...on } },
        { stage: 'clean', options: { preset: 'seed' } },
        { stage: 'speaker-enroll', options: { name: 'host', auto: true }, inputs: [file] },
        { stage: 'speaker-score', options: { ref: 'host', 'auto-threshold': true } },
        { stage: 'lint' },
      ],
    });
    const r = run(config);
    const cell = (s: string) => (r.stages.has(s) ? x(r.stages.get(s)!.seconds) : '-');
    console.log(`| ${separated ? 'with separation (auto)' : 'without separation'} | ${['separate', 'segment', 'slice', 'clean', 'speaker-enroll', 'speaker-score', 'lint', 'report'].map(cell).join(' | ')} | ${x(r.wall)} (${r.wall.toFixed(0)} s) | ${r.rssMb} MB |`);
  }
}

/**
 * The default pipeline from a raw MP3 (44.1 kHz stereo, as podcasts come) to an LJSpeech folder, one CLI command per
 * stage so each stage's CPU is its own: the CLI's and its children's (ffmpeg, worker processes) CPU time over the
 * stage's wall time, 200% being both cores (issue "The whole pipeline at 30x real time on 2 cores").
 */
function defaultPipeline(minutes: number): void {
  const wav = buildLong(minutes);
  const mp3 = path.join(OUT, `long-${minutes}min.mp3`);
  if (!fs.existsSync(mp3)) spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-ac', '2', '-ar', '44100', '-b:a', '128k', mp3]);
  const floor = decodeFloor(mp3);
  const ds = path.join(OUT, 'pipeline-default');
  fs.rmSync(ds, { recursive: true, force: true });
  const audio = minutes * 60;
  const steps: [string, string[]][] = [['segment', ['segment', mp3]], ['slice', ['slice']], ['clean', ['clean']], ['export', ['export', '--format', 'ljspeech']]];
  const cells: string[] = [];
  let total = 0;
  let rss = 0;
  for (const [, args] of steps) {
    const cpu0 = childCpuSeconds();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, ...args, '--out', ds, '-q'], { encoding: 'utf8', env: { ...process.env, SDS_REPORT_RSS: '1' } });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`sds ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    rss = Math.max(rss, Number(/peak_rss_mb=(\d+)/.exec(r.stderr)?.[1] ?? 0));
    total += wall;
    cells.push(`${(audio / wall).toFixed(0)}x (${wall.toFixed(1)} s, ${((100 * (childCpuSeconds() - cpu0)) / wall).toFixed(0)}% CPU)`);
  }
  const clips = readClipTable(path.join(ds, 'clips.csv')).length;
  console.log(`\n| default pipeline, ${minutes}-min MP3 (44.1 kHz stereo; decode floor ${(audio / floor).toFixed(0)}x), ${clips} clips | ${steps.map(([n]) => n).join(' | ')} | whole | peak RSS (largest stage CLI) |`);
  console.log(`|---|${'---|'.repeat(steps.length + 2)}`);
  console.log(`| sds segment, slice, clean (speech preset), export ljspeech | ${cells.join(' | ')} | **${(audio / total).toFixed(1)}x** (${total.toFixed(0)} s) | ${rss} MB |`);
}

/** `count` sources of 4 s each, cut from real speech (the bundled LibriSpeech readers), as 16 kHz WAVs. */
function shortSources(dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const speech = fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'librispeech')).filter((f) => f.endsWith('.flac')).map((f) => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path.join(ROOT, 'test', 'fixtures', 'librispeech', f), '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
    return new Float32Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength / 4);
  });
  for (let i = 0; i < count; i++) {
    const x = speech[i % speech.length];
    const at = ((i * 7919) % Math.max(1, x.length - 4 * 16000));
    fs.writeFileSync(path.join(dir, `show_${String(i).padStart(4, '0')}.wav`), encodeWav(x.subarray(at, at + 4 * 16000), 16000));
  }
}

const DATASET_STAGES = [
  { stage: 'segment', options: { 'gender-method': 'pitch' } },
  { stage: 'slice', options: { labels: ['male', 'female'], min: 1 } },
  { stage: 'clean', options: { preset: 'seed' } },
  { stage: 'lint' },
  { stage: 'export', options: { format: 'ljspeech' } },
];

/** 2. and 3.: a dataset built once, run again unchanged, then with one segment table edited. */
function reruns(count: number, label: string, edit: boolean): void {
  const dir = path.join(OUT, `pipeline-${count}-sources`);
  const config = writeConfig(dir, { dataset: 'ds', inputs: ['rec'], stages: DATASET_STAGES });
  shortSources(path.join(dir, 'rec'), count);
  const first = run(config);
  const again = run(config);
  const stages = (r: Run) => [...r.stages].map(([s, v]) => `${s} ${v.processed}`).join(', ');
  console.log(`| ${label}: ${count} sources, ${readClipTable(path.join(dir, 'ds', 'clips.csv')).length} clips | first run ${first.wall.toFixed(0)} s | nothing changed: ${again.wall.toFixed(2)} s (processed: ${stages(again)}) |` +
    (edit ? ` ${editOne(dir, config)} |` : ''));
}

function editOne(dir: string, config: string): string {
  const ds = path.join(dir, 'ds');
  const src = readTable(path.join(ds, 'sources.csv'))[Math.floor(readTable(path.join(ds, 'sources.csv')).length / 2)];
  const table = path.join(ds, 'segments', `${src.id}.csv`);
  const segs = parseSegmentCsv(fs.readFileSync(table, 'utf8'));
  const speech = segs.find((s) => s.label === 'male' || s.label === 'female');
  if (speech) speech.label = speech.label === 'male' ? 'female' : 'male';
  fs.writeFileSync(table, formatSegmentCsv(segs));
  const r = run(config);
  return `one table edited (${src.id}): ${r.wall.toFixed(2)} s, processed: ${[...r.stages].map(([s, v]) => `${s} ${v.processed} (${v.skipped} up to date)`).join(', ')}`;
}

const minutes = Number(process.env.BENCH_PIPELINE_MINUTES ?? 60);
if (minutes > 0) defaultPipeline(minutes);
if (minutes > 0 && !process.env.BENCH_DEFAULT_ONLY) wholePipeline(minutes);
const only = !!process.env.BENCH_DEFAULT_ONLY;
const edits = only ? 0 : Number(process.env.BENCH_EDIT_SOURCES ?? 50);
const sources = only ? 0 : Number(process.env.BENCH_SOURCES ?? 1000);
if (edits || sources) {
  console.log('\n| dataset | build | rerun | one edit |');
  console.log('|---|---|---|---|');
}
if (edits) reruns(edits, 'edit', true);
if (sources) reruns(sources, 'no-op', false);
