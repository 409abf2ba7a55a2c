import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportData } from '../../pipeline/report/reportData';

test('the report counts what clips.csv says: hours per label, emotions as the seed printed them, similarity and its threshold, transcripts, sources', () => {
  const clip = (i: number, o: Record<string, string>) => ({ path: `clips/${o.label}/s1_${i}.wav`, source: 's1', start: '0', end: '2', duration: '2', sample_rate: '16000', ...o });
  const clips = [
    clip(1, { label: 'male', emotion: 'happy', similarity_host: '0.91', transcript: 'hello', text_source: 'human', raw_lufs: '-30', lufs: '-23', raw_snr: '20', snr: '25', clean_path: 'clean/male/s1_1.wav' }),
    clip(2, { label: 'male', emotion: 'sad', similarity_host: '0.88', transcript: 'asr text', text_source: 'asr' }),
    clip(3, { label: 'female', emotion: 'happy', similarity_host: '0.40', excluded: 'yes', rejected_by: 'similarity_host<0.6500' }),
    clip(4, { label: 'female', emotion: 'happy', similarity_host: '0.85', excluded: 'yes' }),
    { ...clip(5, { label: 'female', emotion: 'neutral', similarity_host: '0.80' }), source: 's2', duration: '3' },
  ];
  const sources = [{ id: 's1', path: '/rec/a.wav', duration: '10' }, { id: 's2', path: '/rec/b.wav', duration: '' }];
  const segments = new Map([['s1', [{ label: 'male', start: 0, stop: 4 }, { label: 'music', start: 4, stop: 10 }]], ['s2', [{ label: 'female', start: 0, stop: 3 }, { label: 'noEnergy', start: 3, stop: 6 }]]]);
  const state = { version: 1 as const, stages: { clean: { options: '', algorithm: '', sources: { s1: { in: 'x' }, s2: { failed: 'b.wav: cannot decode' } } } } };
  const r = reportData('show', sources, clips, segments, state);
  assert.deepEqual(r.totals, { sources: 2, clips: 5, kept: 3, hours: 7 / 3600 });
  assert.deepEqual(r.labels.map((l) => [l.label, l.clips]), [['male', 2], ['female', 1]]);
  assert.deepEqual(r.emotions.map((e) => [e.emotion, e.clips, e.share]), [['happy', 1, 1 / 3], ['sad', 1, 1 / 3], ['neutral', 1, 1 / 3]]);
  assert.deepEqual(r.similarity, [{ who: 'host', values: [0.91, 0.88, 0.4, 0.85, 0.8], threshold: 0.65 }]);
  assert.deepEqual(r.transcripts, { human: 1, asr: 1, none: 1 });
  assert.deepEqual(r.loudness, { before: [-30], after: [-23] });
  assert.deepEqual(r.sources.map((s) => [s.id, s.duration, s.speechShare, s.clips, s.excluded, s.why, s.failures]), [
    ['s1', 10, 0.4, 4, 2, { 'similarity_host below threshold': 1, 'by hand': 1 }, []],
    ['s2', 6, 0.5, 1, 0, {}, ['clean: b.wav: cannot decode']],
  ]);
});
