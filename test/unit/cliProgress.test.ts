import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliProgress } from '../../cli/progress';

const sink = (isTTY: boolean) => {
  const parts: string[] = [];
  return { out: { isTTY, columns: 200, write: (s: string) => parts.push(s) }, text: () => parts.join(''), parts };
};

test('on a terminal one status line is redrawn in place: overall share (finished files and those under way) and each file in flight', () => {
  const s = sink(true);
  const p = new CliProgress(s.out);
  p.handle({ kind: 'file-start', file: 'https://example.com/shows/ep1.mp3', index: 0, total: 4 });
  p.handle({ kind: 'file-start', file: 'https://example.com/shows/ep2.mp3', index: 1, total: 4 });
  p.handle({ kind: 'file-progress', file: 'https://example.com/shows/ep1.mp3', fraction: 0.5 });
  assert.match(s.parts[s.parts.length - 1], /^\r\x1b\[Koverall 0\/4 files \(13%\) · ep1\.mp3 50% · ep2\.mp3 0%$/);
  p.handle({ kind: 'file-done', file: 'https://example.com/shows/ep1.mp3', skipped: false });
  p.handle({ kind: 'file-error', file: 'https://example.com/shows/ep2.mp3', error: 'HTTP 404' });
  assert.match(s.parts[s.parts.length - 1], /overall 2\/4 files \(50%\), 1 failed$/);
  assert.match(s.text(), /\r\x1b\[K {2}done {2}https:\/\/example\.com\/shows\/ep1\.mp3\n/);
  assert.match(s.text(), /FAILED https:\/\/example\.com\/shows\/ep2\.mp3: HTTP 404\n/);
  p.finish();
  assert.equal(s.parts[s.parts.length - 1], '\r\x1b[K');
});

test('piped output gets an overall line per finished file and no redraws', () => {
  const s = sink(false);
  const p = new CliProgress(s.out);
  p.handle({ kind: 'file-start', file: '/a.wav', index: 0, total: 2 });
  p.handle({ kind: 'file-progress', file: '/a.wav', fraction: 0.7 });
  p.handle({ kind: 'file-done', file: '/a.wav', skipped: true });
  p.handle({ kind: 'file-start', file: '/b.wav', index: 1, total: 2 });
  p.handle({ kind: 'file-done', file: '/b.wav', skipped: false, detail: '3 clips' });
  assert.ok(!s.text().includes('\r'));
  assert.equal(s.text(), '[1/2] /a.wav\n  up to date  /a.wav\n  overall: 1/2 files (50%)\n[2/2] /b.wav\n  done: 3 clips  /b.wav\n  overall: 2/2 files (100%)\n');
});

test('a pipeline stage heads its files, and its overall line says the time elapsed and what is left', () => {
  const s = sink(false);
  let t = 0;
  const p = new CliProgress(s.out, () => t);
  p.handle({ kind: 'stage', stage: 'clean', index: 2, total: 5, todo: 4, detail: '4 sources to do (4 new input)' });
  p.handle({ kind: 'file-start', file: '/a.wav', index: 0, total: 4 });
  t = 30000;
  p.handle({ kind: 'file-done', file: '/a.wav', skipped: false });
  assert.equal(s.text(), '== clean (3/5): 4 sources to do (4 new input)\n[1/4] /a.wav\n  done  /a.wav\n  overall: 1/4 files (25%), 0:30 elapsed, ~1:30 left\n');
  p.handle({ kind: 'stage', stage: 'lint', index: 3, total: 5, todo: 1, detail: 'to do' });
  p.handle({ kind: 'file-start', file: '/b.wav', index: 0, total: 2 });
  assert.match(s.text(), /== lint \(4\/5\): to do\n\[1\/2\] \/b\.wav\n$/, 'each stage counts its own files');
});
