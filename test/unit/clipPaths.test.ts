import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { cleanPathFor, insideDataset, ownedClip } from '../../pipeline/stages/clipPaths';

test('only clips slice cut for that source count as its own: never a row outside the dataset or under another folder', () => {
  assert.deepEqual(ownedClip('clips/male/0001_show_0003.wav', '0001_show'), { prefix: '', label: 'male', n: 3 });
  assert.deepEqual(ownedClip('rejected/clips/female/0001_show_0012.wav', '0001_show'), { prefix: 'rejected/', label: 'female', n: 12 });
  for (const rel of ['../../victim/v.wav', 'extra/mine.wav', 'clips/male/0002_other_0001.wav', 'clips/../../x/0001_show_0001.wav',
    'clips/../clips/../../0001_show_0001.wav', '/abs/clips/male/0001_show_0001.wav', 'clips/male/0001_show_0001.flac', 'clips/weird/0001_show_0001.wav']) {
    assert.equal(ownedClip(rel, '0001_show'), undefined, rel);
  }
});

test('a cleaned clip always lands under clean/, never on its input, and two outside files never share a name', () => {
  assert.equal(cleanPathFor('clips/male/a_0001.wav'), 'clean/male/a_0001.wav');
  assert.equal(cleanPathFor('extra/mine.wav'), 'clean/extra/mine.wav');
  assert.equal(cleanPathFor('rejected/clips/male/a_0001.wav'), 'clean/rejected/clips/male/a_0001.wav');
  const outside = ['../../victim/v.wav', '../other/v.wav', '/abs/v.wav', 'clips/../../v.wav'];
  const names = outside.map(cleanPathFor);
  for (const [i, n] of names.entries()) {
    assert.ok(!insideDataset(outside[i]), outside[i]);
    assert.match(n, /^clean\/external\/[a-z0-9_]+-[0-9a-f]{8}\.wav$/, n);
  }
  assert.equal(new Set(names).size, names.length);
  for (const rel of ['clips/a.wav', 'clean/x.wav', 'a.wav', 'clean/../clean/x.wav', ...outside]) {
    const out = cleanPathFor(rel);
    assert.ok(out.startsWith('clean/') && !out.includes('..'), out);
    assert.notEqual(path.posix.normalize(out), path.posix.normalize(rel));
  }
});
