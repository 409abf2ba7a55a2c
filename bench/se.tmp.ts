import * as ort from 'onnxruntime-node';
import { decodeMono } from '../pipeline/audio/ffmpeg';
import { librispeechFiles } from './eval-gender';
(async () => {
  const s = await ort.InferenceSession.create('/work/shared/models/speaker/tone_color_se.onnx', { intraOpNumThreads: 2 });
  console.log(s.inputNames, s.outputNames);
  const { train, other } = librispeechFiles('/work/shared/audio/librispeech');
  const embs: number[][] = []; let sec = 0; const t0 = Date.now();
  for (const g of [...train, ...other]) {
    const parts: Float32Array[] = []; for await (const c of decodeMono(g.file, { sampleRate: 22050 })) parts.push(c);
    const n = parts.reduce((a, p) => a + p.length, 0); const x = new Float32Array(n); let o = 0; for (const p of parts) { x.set(p, o); o += p.length; }
    sec += n / 22050;
    const out = await s.run({ audio: new ort.Tensor('float32', x, [n, 1]) });
    const e = Array.from(out.se.data as Float32Array); const norm = Math.hypot(...e); embs.push(e.map((v) => v / norm));
  }
  console.log('x realtime', sec / ((Date.now() - t0) / 1000));
  require('fs').writeFileSync('/tmp/embs.json', JSON.stringify({ files: [...train, ...other], embs }));
})();
