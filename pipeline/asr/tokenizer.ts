import * as fs from 'node:fs';

/** GPT-2's byte <-> printable character table, which byte-level BPE vocabularies (Whisper's) are written in. */
function byteDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) {
    bs.push(b);
    cs.push(256 + n++);
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}
const BYTES = byteDecoder();

/**
 * The decoding half of Whisper's tokenizer, read from a Hugging Face `tokenizer.json` (what ONNX exports of Whisper
 * ship): ids to text, the special tokens by name, and timestamp tokens (`<|1.24|>`) to seconds.
 */
export class WhisperTokenizer {
  private readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly special = new Set<number>();
  private readonly times = new Map<number, number>();

  constructor(json: { model: { vocab: Record<string, number> }; added_tokens?: { id: number; content: string; special?: boolean }[] }) {
    for (const [tok, id] of Object.entries(json.model.vocab)) this.set(tok, id);
    for (const t of json.added_tokens ?? []) {
      this.set(t.content, t.id);
      const m = /^<\|(\d+\.\d+)\|>$/.exec(t.content);
      if (m) this.times.set(t.id, Number(m[1]));
      else if (t.special !== false || /^<\|.*\|>$/.test(t.content)) this.special.add(t.id);
    }
  }

  static fromFile(file: string): WhisperTokenizer {
    return new WhisperTokenizer(JSON.parse(fs.readFileSync(file, 'utf8')));
  }

  private set(tok: string, id: number): void {
    this.tokens[id] = tok;
    this.ids.set(tok, id);
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  /** Seconds of a timestamp token, undefined for any other token. */
  time(id: number): number | undefined {
    return this.times.get(id);
  }

  /** Language tokens (`<|en|>`, `<|de|>`, ...): their codes and ids. */
  languages(): Map<string, number> {
    const out = new Map<string, number>();
    for (const id of this.special) {
      const m = /^<\|([a-z]{2,3}|haw|yue)\|>$/.exec(this.tokens[id] ?? '');
      if (m) out.set(m[1], id);
    }
    return out;
  }

  /** Text of ordinary tokens (special and timestamp tokens are skipped), bytes reassembled as UTF-8. */
  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (this.special.has(id) || this.times.has(id)) continue;
      for (const ch of this.tokens[id] ?? '') {
        const b = BYTES.get(ch);
        if (b !== undefined) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
