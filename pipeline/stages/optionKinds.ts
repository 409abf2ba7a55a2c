import { OptionError } from '../errors';

/**
 * The few kinds a stage option can be. Each option is declared once (pipeline/stages/registry.ts) with its kind,
 * default, bounds and one line of help; the CLI's parsing and help are made from these declarations.
 */
export type OptionKind = 'number' | 'integer' | 'size' | 'text' | 'path' | 'model' | 'choice' | 'list' | 'numbers' | 'flag' | 'repeat';

export interface OptionDef {
  kind: OptionKind;
  help: string;
  /** what the stage does when the option is not given, for help and docs; the value itself lives with the stage */
  default?: unknown;
  /** the allowed values of a choice (or of every item of a list), with a description each */
  values?: readonly string[];
  descriptions?: readonly string[];
  min?: number;
  max?: number;
  /** what the value looks like in usage text: <dir>, N, 0.9,0.05,0.05 */
  placeholder?: string;
  short?: string;
  /** the value when the option is given with nothing after it (`sds clean --sources` means every source) */
  bare?: string;
  /** a text value's pattern in the JSON Schemas (a denoiser name or a .onnx file) */
  pattern?: string;
  /** the VS Code setting's description, where it needs other words than the option's help */
  setting?: string;
}

export const num = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'number', help, ...o });
export const int = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'integer', help, ...o });
export const text = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'text', help, ...o });
export const choice = (values: readonly string[], help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'choice', help, values, ...o });
/** A file or folder; the stage says when it is missing (it may be one the stage creates). */
export const pathOpt = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'path', help, placeholder: '<path>', ...o });
/** A model: a name in the model registry (`sds models list`) or a file (docs/models.md's contract). */
export const model = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'model', help, placeholder: '<model>', ...o });
/** A size in bytes, given as `500M`, `2G` or a number of bytes. */
export const size = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'size', help, ...o });
/** Comma-separated values: `--labels male,female`. */
export const list = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'list', help, ...o });
/** Comma-separated numbers: `--split 0.9,0.05,0.05`. */
export const numbers = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'numbers', help, ...o });
/** A switch; a name starting with `no-` turns a default-on behaviour off. */
export const flag = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'flag', help, ...o });
/** Given once or more (`--rss a --rss b`). */
export const repeat = (help: string, o: Partial<OptionDef> = {}): OptionDef => ({ kind: 'repeat', help, ...o });

export type OptionValue = string | number | boolean | string[] | number[] | undefined;

/** A raw command-line value read as its kind; a message naming the option when it cannot be. */
export function readValue(name: string, def: OptionDef, raw: string | boolean | string[] | undefined): OptionValue {
  if (raw === undefined) return undefined;
  const number = (s: string) => {
    const n = Number(s);
    if (!Number.isFinite(n) || s.trim() === '') throw new OptionError(`--${name} expects a number, got "${s}"`);
    return n;
  };
  switch (def.kind) {
    case 'flag':
      return raw === true;
    case 'repeat':
      return raw as string[];
    case 'number':
    case 'integer': // whole, and in bounds: checkValue, the one check for every caller
      return number(raw as string);
    case 'size':
      return parseSize(raw as string, name);
    case 'list':
      return (raw as string).split(',').map((s) => s.trim()).filter(Boolean);
    case 'numbers':
      return (raw as string).split(',').map((s) => number(s));
    default:
      return raw as string;
  }
}

/** How the option reads in a usage line: `[--min 1.5]`, `[--engine smn|sm|silero]`, `[--no-gender]`. */
export function usageOf(name: string, def: OptionDef): string {
  if (def.kind === 'flag') return `[--${name}]`;
  const shown = def.placeholder ?? (def.kind === 'choice' && def.values ? def.values.join('|') : def.default !== undefined && def.default !== '' ? String(def.default) : 'x');
  return `[--${name} ${shown}]`;
}

/** An option's name as a request's field: --merge-gap is mergeGap. */
export const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A size as the CLI and the schemas take it (JSON Schema patterns have no flags: the cases are spelled out). */
export const SIZE_PATTERN = '^(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]?)[iI]?[bB]?$';

/** `500M`, `2G`, `1.5g`, or bytes. */
export function parseSize(s: string, name = 'max-size', label = `--${name}`): number {
  const m = new RegExp(SIZE_PATTERN).exec(s.trim());
  if (!m) throw new OptionError(`${label}: cannot read "${s}" (e.g. 500M, 2G)`);
  return Math.round(Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2].toLowerCase() || ' '));
}

/** `a, b or c` */
export const orList = (xs: readonly string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs[0]);

/**
 * A value against its declaration: a choice among its values, each item of a list, a number within its bounds, a
 * text matching its pattern. The one check for every caller (CLI, VS Code, a pipeline file): OptionError naming the
 * option, the value and what is allowed.
 */
export function checkValue(name: string, def: OptionDef, value: unknown, label = `--${name}`): void {
  if (value === undefined || value === null) return;
  const fail = (why: string) => {
    throw new OptionError(`${label}: ${why}`);
  };
  if (def.kind === 'choice' && def.values && !def.values.includes(value as string)) fail(`"${value}" is not one of ${orList(def.values)}`);
  if (def.kind === 'list' && def.values) {
    const bad = (value as string[]).filter((v) => !def.values!.includes(v));
    if (bad.length) fail(`${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not one of ${orList(def.values)}`);
  }
  if (def.kind === 'number' || def.kind === 'integer') {
    const n = value as number;
    if (typeof n !== 'number' || Number.isNaN(n)) fail(`expects a number, got "${value}"`);
    if (def.kind === 'integer' && !Number.isInteger(n)) fail(`expects a whole number, got ${n}`);
    const range = def.min !== undefined && def.max !== undefined ? `between ${def.min} and ${def.max}` : def.min !== undefined ? `>= ${def.min}` : `<= ${def.max}`;
    if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) fail(`must be ${range}, got ${n}`);
  }
  if (def.kind === 'text' && def.pattern && !new RegExp(def.pattern).test(value as string)) fail(`"${value}" is not ${def.placeholder ?? `matching ${def.pattern}`}`);
}

const JSON_TYPES: Record<OptionKind, string> = {
  flag: 'boolean', number: 'number', integer: 'number', size: 'string', text: 'string', path: 'string', model: 'string', choice: 'string',
  list: 'array', numbers: 'array', repeat: 'array',
};

/**
 * A value from a pipeline file (JSON) read as its kind, then checked as every other caller's is: sizes may be
 * numbers of bytes or `2G`, lists are arrays (of numbers for `numbers`). `label` names it in errors (its JSON path).
 */
export function readJsonValue(name: string, def: OptionDef, value: unknown, label: string): OptionValue {
  const fail = (why: string): never => {
    throw new OptionError(`${label}: ${why}`);
  };
  const shown = JSON.stringify(value);
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (def.kind === 'size' && typeof value === 'number') return value;
  if (type !== JSON_TYPES[def.kind]) fail(`${shown} is ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}; ${name} takes ${def.kind === 'size' ? 'a size (500M, 2G) or a number of bytes' : `${JSON_TYPES[def.kind] === 'array' ? 'an' : 'a'} ${JSON_TYPES[def.kind]}${def.kind === 'numbers' ? ' of numbers' : def.kind === 'list' || def.kind === 'repeat' ? ' of strings' : ''}`}`);
  if (Array.isArray(value)) {
    const want = def.kind === 'numbers' ? 'number' : 'string';
    const bad = value.findIndex((v) => typeof v !== want);
    if (bad >= 0) fail(`item ${bad} (${JSON.stringify(value[bad])}) is not a ${want}`);
  }
  const v = def.kind === 'size' ? parseSize(value as string, name, label) : (value as OptionValue);
  checkValue(name, def, v, label);
  return v;
}
