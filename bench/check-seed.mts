import * as fs from 'node:fs';
import { collect, decodeMono } from '../pipeline/audio/ffmpeg';
import { seedFeature } from '../pipeline/features/seedFeature';
const ref = JSON.parse(fs.readFileSync('/work/shared/audio/emotion/librosa_seed_features.json', 'utf8')).features;
let worst = [0, '', 0];
const per = new Array(180).fill(0);
for (const [name, want] of Object.entries(ref) as [string, number[]][]) {
  const x = await collect(decodeMono('/work/shared/audio/' + name, { sampleRate: 16000 }));
  const t0 = performance.now();
  const got = seedFeature(x, 16000);
  const ms = performance.now() - t0;
  for (let i = 0; i < 180; i++) {
    const rel = Math.max(0, Math.abs(got[i] - want[i]) - 5e-8) / Math.max(Math.abs(want[i]), 1e-12);
    per[i] = Math.max(per[i], rel);
    if (rel > (worst[0] as number)) worst = [rel, name, i];
  }
  console.log(name, (x.length / 16000).toFixed(2), 's', ms.toFixed(1), 'ms', 'mfcc0', got[0].toFixed(4), want[0], 'chroma0', got[40].toFixed(5), want[40], 'mel0', got[52].toExponential(4), want[52]);
}
console.log('worst', worst);
console.log('worst by block', Math.max(...per.slice(0, 40)), Math.max(...per.slice(40, 52)), Math.max(...per.slice(52)));
console.log(per.map((v, i) => [i, v]).filter(([, v]) => v > 1e-3).map(([i, v]) => `${i}:${v.toExponential(2)}`).join(' '));
