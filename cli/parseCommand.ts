import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OptionError } from '../pipeline/errors';
import type { StageRequest } from '../pipeline/stages/requests';
import { orList, readValue, type OptionDef, type OptionValue } from '../pipeline/stages/optionKinds';
import { allCommands, commandNamed, COMMON_OPTIONS, type CommandDef } from '../pipeline/stages/registry';

/** What a command line asks for, before anything runs: pure, so tests compare the requests command lines build. */
export type ParsedCommand =
  | { kind: 'help'; code: 0 | 2; command?: string }
  | { kind: 'convert'; input: string; output: string }
  | { kind: 'models'; args: string[]; values: Record<string, string | boolean | string[] | undefined> }
  | { kind: 'stage'; req: StageRequest; jobs?: number; wait?: boolean; ffmpeg?: string; quiet?: boolean };

export class UsageError extends Error {}

/** Commands typed as two words (`speaker enroll`): the first word, and its verbs in the registry's order. */
export function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of allCommands()) {
    const [group, verb] = c.cli.split(' ');
    if (verb) out.set(group, [...(out.get(group) ?? []), verb]);
  }
  return out;
}

/** parseArgs' table: every option of every command, so an option of another command is named rather than unknown. */
function argsTable(): NonNullable<ParseArgsConfig['options']> {
  const table: NonNullable<ParseArgsConfig['options']> = {};
  const add = (name: string, o: OptionDef) => {
    table[name] = { type: o.kind === 'flag' ? 'boolean' : 'string', ...(o.kind === 'repeat' ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  };
  for (const [name, o] of Object.entries(COMMON_OPTIONS)) add(name, o);
  for (const c of allCommands()) for (const [name, o] of Object.entries(c.options)) add(name, o);
  return table;
}

/** The command a line names (`speaker score`), read before parsing so its own syntax can apply. */
function commandOf(words: string[]): { def?: CommandDef; group?: string; verb?: string } {
  const [first, second] = words;
  const verbs = groups().get(first);
  if (!verbs) return { def: commandNamed(first) };
  const verb = second ?? (first === 'models' ? 'list' : undefined); // `sds models` lists them
  return { def: verb ? commandNamed(`${first} ${verb}`) : undefined, group: first, verb };
}

/** A usage error for an option the command does not read, saying which commands do. */
function checkOptions(def: CommandDef, given: string[]): void {
  for (const o of given) {
    if (o in COMMON_OPTIONS || o in def.options) continue;
    const elsewhere = allCommands().filter((c) => o in c.options).map((c) => c.cli);
    throw new UsageError(`--${o} is not an option of ${def.cli}${elsewhere.length ? ` (${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'take' : 'takes'} it)` : ''}`);
  }
}


/** Reads a command line into what it asks for; a UsageError for anything that cannot be read. */
export function parseCommand(argv: string[]): ParsedCommand {
  // `--loudness -16`: parseArgs reads a leading '-' as an option, so glue negative numbers to their option
  const args = argv.flatMap((a, i) => (/^-\d/.test(a) && argv[i - 1]?.startsWith('--') ? [] : /^--[a-z-]+$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a]));
  // an option given bare takes its declared value (`sds clean --sources` alone means every source); before parsing,
  // the command is the line's first words that are no option
  const guessed = commandOf(args.filter((a) => !a.startsWith('-')));
  for (const [name, o] of Object.entries(guessed.def?.options ?? {})) {
    if (o.bare === undefined) continue;
    args.forEach((a, i) => a === `--${name}` && (args[i + 1] === undefined || args[i + 1].startsWith('-')) && (args[i] = `--${name}=${o.bare}`));
  }
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: argsTable() });
  const raw = v as Record<string, string | boolean | string[] | undefined>;
  const [command, ...rest] = positionals;
  const { def, group, verb } = commandOf(positionals);
  if (v.help || !command) return { kind: 'help', code: v.help ? 0 : 2, command: def?.cli };
  if (!def) {
    if (group) throw new UsageError(`unknown ${group} command "${verb ?? ''}" (use ${orList(groups().get(group)!)})`);
    throw new UsageError(`unknown command "${command}"`);
  }
  checkOptions(def, Object.keys(v));
  const after = group && rest[0] === verb ? rest.slice(1) : rest;
  const out = def.out ?? 'required';
  if (out === 'positional' && !raw.out && after[0]) raw.out = after[0];
  if (out === 'dot') raw.out ??= '.';
  if (out !== 'none' && out !== 'optional' && !raw.out) throw new UsageError('--out <dir> is required');
  const o: Record<string, OptionValue> = {};
  let result;
  try {
    for (const [name, d] of Object.entries(def.options)) o[name] = readValue(name, d, raw[name]);
    result = def.build(o, after, raw.out as string, raw);
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  }
  if (result.kind !== 'stage') return result;
  const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number >= 1, got "${v.jobs}"`);
  return { kind: 'stage', req: result.req, jobs, wait: v.wait as boolean | undefined, ffmpeg: v.ffmpeg as string | undefined, quiet: v.quiet as boolean | undefined };
}
