import { usageOf, type OptionDef } from '../pipeline/stages/optionKinds';
import { allCommands, COMMON_OPTIONS, type CommandDef } from '../pipeline/stages/registry';

// Help and docs/cli.md are made from the stage registry: an option is described where it is declared, nowhere else.

const EXIT_CODES = 'Exit codes: 0 done, 1 when any file failed (the others still finish), 2 on a usage error (nothing written), 3 without ffmpeg, 4 when another command is writing the dataset.';

/** `sds slice --out <dir> [--labels male,female,speech] ...`, wrapped under the command. */
function usageLine(c: CommandDef, width = 118): string[] {
  // options the synopsis already shows (`--format <format>`) are not listed again as optional
  const optional = Object.entries(c.options).filter(([name]) => !new RegExp(`--${name}\\b`).test(c.synopsis));
  const words = [`sds ${c.cli}`, ...(c.synopsis ? [c.synopsis] : []), ...optional.map(([name, o]) => usageOf(name, o))];
  const lines: string[] = [];
  let line = '  ';
  for (const w of words) {
    if (line.trim() && line.length + w.length + 1 > width) {
      lines.push(line);
      line = '      ';
    }
    line += (line.trim() ? ' ' : '') + w;
  }
  return [...lines, line];
}

/** `sds --help`: every command, its usage and what it does. */
export function usage(): string {
  const out = ['Speech Dataset Studio (sds)', '', 'Usage:'];
  for (const c of allCommands()) out.push(...usageLine(c), `      ${c.summary}`);
  out.push('', `Every command: ${Object.entries(COMMON_OPTIONS).map(([n, o]) => `--${n}${o.short ? ` (-${o.short})` : ''}`).join(', ')}. sds <command> --help explains its options.`, EXIT_CODES);
  return out.join('\n');
}

function optionLines(name: string, o: OptionDef): string[] {
  const def = o.default !== undefined && o.default !== '' ? ` (default ${o.default})` : '';
  const lines = [`  ${usageOf(name, o).slice(1, -1).padEnd(34)} ${o.help}${def}`];
  if (o.values && o.descriptions) o.values.forEach((v, i) => lines.push(`      ${v.padEnd(32)} ${o.descriptions![i] ?? ''}`));
  return lines;
}

/** `sds <command> --help`: the command and each of its options. */
export function commandHelp(c: CommandDef): string {
  return [`sds ${c.cli} ${c.synopsis}`.trimEnd(), `  ${c.summary}`, '', 'Options:', ...Object.entries(c.options).flatMap(([n, o]) => optionLines(n, o)),
    '', 'Every command:', ...Object.entries(COMMON_OPTIONS).flatMap(([n, o]) => optionLines(n, o)), '', EXIT_CODES].join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** docs/cli.md: the same, as markdown tables. */
export function cliDoc(): string {
  const out = ['# `sds` command line', '', '<!-- Generated from pipeline/stages/registry.ts by `npm run generate`; a unit test fails when it is stale. -->', '', EXIT_CODES, ''];
  const table = (opts: Record<string, OptionDef>) => {
    out.push('| option | what it does | default |', '|---|---|---|');
    for (const [name, o] of Object.entries(opts)) {
      const choices = o.values ? ` ${o.kind === 'text' ? 'Built in' : 'One of'}: ${o.values.map((v, i) => `\`${v}\`${o.descriptions?.[i] ? ` (${o.descriptions[i]})` : ''}`).join(', ')}.` : '';
      out.push(`| \`${cell(usageOf(name, o).slice(1, -1))}\` | ${cell(o.help + '.' + choices)} | ${o.default !== undefined && o.default !== '' ? `\`${cell(String(o.default))}\`` : ''} |`);
    }
    out.push('');
  };
  for (const c of allCommands()) {
    out.push(`## sds ${c.cli}`, '', `\`sds ${c.cli}${c.synopsis ? ' ' + cell(c.synopsis) : ''}\`: ${c.summary}.`, '');
    if (Object.keys(c.options).length) table(c.options);
  }
  out.push('## Every command', '');
  table(COMMON_OPTIONS);
  return out.join('\n');
}
