import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeMono } from '../../pipeline/audio/ffmpeg';
import { SileroVad, segmentSilero, speechRegions } from '../../pipeline/segmentation/sileroVad';
import { espeak, ffmpeg, fixture, tmpDir } from '../helpers';

let vad: SileroVad;
before(async () => { vad = await SileroVad.open(); });
after(async () => { await vad.release(); });

test('hysteresis: short dips stay inside speech, short bursts are dropped, edges are padded', () => {
  const hop = 0.032;
  const p = [...Array(10).fill(0.1), ...Array(20).fill(0.9), 0.3, 0.3, ...Array(20).fill(0.9), ...Array(20).fill(0.1), 0.9, 0.9, ...Array(10).fill(0.1)];
  const r = speechRegions(p, p.length * hop, hop);
  assert.equal(r.length, 1, JSON.stringify(r));
  assert.ok(Math.abs(r[0][0] - (10 * hop - 0.03)) < 1e-9);
  assert.ok(Math.abs(r[0][1] - (52 * hop + 0.03)) < 1e-9);
});

test('engine silero: espeak-ng speech between 2 s silences, contiguous table, gender by pitch', async () => {
  const dir = tmpDir();
  const voice = espeak('Silero finds speech boundaries precisely in clean recordings like this one.', path.join(dir, 'v.wav'), 'en+m3');
  const out = path.join(dir, 'padded.wav');
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-i', voice, '-filter_complex',
    '[0]atrim=0:2[a];[0]atrim=0:2[b];[a][1][b]concat=n=3:v=0:a=1', '-ar', '16000', out);
  const r = await segmentSilero(decodeMono(out, { sampleRate: 16000 }), vad, { engine: 'silero', gender: true });
  assert.equal(r.segments[0].label, 'noEnergy');
  for (let i = 1; i < r.segments.length; i++) assert.equal(r.segments[i].start, r.segments[i - 1].stop);
  assert.ok(Math.abs(r.segments[r.segments.length - 1].stop - r.duration) < 1e-3);
  const speech = r.segments.filter((s) => s.label !== 'noEnergy');
  assert.ok(Math.abs(speech[0].start - 2) < 0.15, `starts at ${speech[0].start}`);
  assert.ok(Math.abs(speech[speech.length - 1].stop - (r.duration - 2)) < 0.25, `ends at ${speech[speech.length - 1].stop}`);
  assert.ok(speech.every((s) => s.label === 'male'));
});

test('engine silero on digital silence is one noEnergy segment', async () => {
  const r = await segmentSilero(decodeMono(fixture('ina', 'silence2sec.wav'), { sampleRate: 16000 }), vad, { engine: 'silero', gender: true });
  assert.deepEqual(r.segments, [{ label: 'noEnergy', start: 0, stop: 2 }]);
});
