import { camel, SIZE_PATTERN, type OptionDef } from './optionKinds';
import { allCommands, COMMON_OPTIONS, WORKSPACE_SETTINGS } from './registry';
import { pipelineStages } from './commandKit';

/**
 * VS Code's settings and the JSON Schema of every stage's options, made from the registry: package.json's
 * `contributes.configuration` is written from `settingsSchema()` by `npm run generate` (a unit test fails when it is
 * stale), and extension/config.ts reads each setting by the key listed here, never with a default of its own.
 */

export interface SettingKey {
  /** `slice.mergeGap` (under `sds.`): the group, and the request field the option fills */
  key: string;
  /** a `no-x` flag becomes the setting `x`, on by default: the option is its negation */
  negated: boolean;
  def: OptionDef;
}

/** Every stage setting: the options commands name in their `settings`, in the registry's order. */
export function settingKeys(): SettingKey[] {
  const out: SettingKey[] = [];
  for (const c of allCommands()) {
    if (!c.settings) continue;
    for (const name of c.settings.options) {
      const def = c.options[name];
      if (!def) throw new Error(`${c.cli}: settings name --${name}, which it does not take`);
      const negated = def.kind === 'flag' && name.startsWith('no-');
      out.push({ key: `${c.settings.group}.${camel(negated ? name.slice(3) : name)}`, negated, def });
    }
  }
  return out;
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + (s.endsWith('.') ? '' : '.');

/** One option as a JSON Schema (for a setting or sds.json); without a default the stage's own applies (null). */
export function optionSchema(def: OptionDef, opts: { negated?: boolean; nullable?: boolean } = {}): Record<string, unknown> {
  const has = def.default !== undefined && def.default !== '';
  const bounds = { ...(def.min !== undefined ? { minimum: def.min } : {}), ...(def.max !== undefined ? { maximum: def.max } : {}) };
  const enums = def.values ? { enum: [...def.values], ...(def.descriptions ? { enumDescriptions: [...def.descriptions] } : {}) } : {};
  switch (def.kind) {
    case 'flag':
      return { type: 'boolean', default: !!opts.negated };
    case 'number':
    case 'integer':
      return has || !opts.nullable ? { type: def.kind, ...(has && typeof def.default === 'number' ? { default: def.default } : {}), ...bounds } : { type: [def.kind, 'null'], default: null, ...bounds };
    case 'choice':
      return { type: 'string', ...enums, ...(has ? { default: def.default } : {}) };
    case 'list':
    case 'repeat':
      return { type: 'array', items: { type: 'string', ...(def.values ? { enum: [...def.values] } : {}) }, ...(Array.isArray(def.default) ? { default: def.default } : {}) };
    case 'numbers':
      return { type: 'array', items: { type: 'number' } };
    case 'size':
      return { type: ['string', 'integer'], pattern: SIZE_PATTERN };
    default: // text, path, model
      return { type: 'string', default: has ? def.default : '', ...(def.pattern ? { pattern: def.pattern } : {}) };
  }
}

/** package.json's `contributes.configuration.properties`. */
export function settingsSchema(): Record<string, Record<string, unknown>> {
  const props: Record<string, Record<string, unknown>> = {};
  for (const [key, s] of Object.entries(WORKSPACE_SETTINGS)) props[`sds.${key}`] = s;
  for (const k of settingKeys()) {
    const schema = optionSchema(k.def, { negated: k.negated, nullable: true });
    // an unset number (null) or text ('') leaves the choice to the stage; say so unless the help already does
    const text = k.def.setting ?? k.def.help;
    const unset = (schema.default === null || (schema.default === '' && k.def.kind === 'text')) && !/default|preset's|asked for/.test(text) ? ' Empty: the stage\'s own default.' : '';
    props[`sds.${k.key}`] = { ...schema, description: sentence(text) + unset };
  }
  return props;
}

/**
 * sds.json's JSON Schema (schemas/sds.schema.json, VS Code's `jsonValidation` for it): the file's keys, each pipeline
 * stage with its options (`definitions`, one per command, keyed by its command line name) and what they take.
 */
export function pipelineSchema(): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const c of allCommands()) {
    definitions[c.cli] = {
      type: 'object', additionalProperties: false, description: c.summary,
      properties: Object.fromEntries(Object.entries(c.options).map(([name, def]) => [name, { ...optionSchema(def), description: sentence(def.help) }])),
    };
  }
  const stages = [...pipelineStages()];
  const stageItem = {
    type: 'object', required: ['stage'], additionalProperties: false,
    properties: {
      stage: { type: 'string', enum: stages.map(([n]) => n), enumDescriptions: stages.map(([, c]) => c.summary), description: 'The stage, by its command\'s name.' },
      options: { type: 'object', description: 'The stage\'s options, as `sds <command> --help` lists them.' },
      inputs: { type: 'array', items: { type: 'string' }, description: 'Its own inputs (the reference recordings of speaker-enroll), relative to this file.' },
    },
    // each stage's options checked and completed by its own definition
    allOf: stages.map(([n, c]) => ({ if: { properties: { stage: { const: n } } }, then: { properties: { options: { $ref: `#/definitions/${c.cli}` } } } })),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#', title: 'Speech Dataset Studio pipeline (sds.json)', type: 'object', required: ['dataset', 'stages'], additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      description: { type: 'string', description: 'What this pipeline makes.' },
      dataset: { type: 'string', default: WORKSPACE_SETTINGS.outputFolder.default, description: 'The dataset folder, relative to this file.' },
      inputs: { type: 'array', items: { type: 'string' }, description: 'Recordings, folders, URL lists and feeds, relative to this file (URLs need an ingest stage).' },
      stages: { type: 'array', minItems: 1, items: stageItem, description: 'The stages, in the order they run.' },
    },
    definitions, common: Object.keys(COMMON_OPTIONS),
  };
}
