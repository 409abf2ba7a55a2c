import { cliDoc } from '../cli/help';
import { PIPELINE_PRESETS } from '../pipeline/plan/presets';
import { pipelineSchema, settingsSchema } from '../pipeline/stages/settings';
import { WORKSPACE_SETTINGS } from '../pipeline/stages/registry';

/** Each generated file's path and text; package.json keeps everything but its settings as they are. */
export function generated(packageJson: string): Record<string, string> {
  const pkg = JSON.parse(packageJson);
  pkg.contributes.configuration.properties = settingsSchema();
  return {
    'docs/cli.md': cliDoc() + '\n',
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'schemas/sds.schema.json': JSON.stringify(pipelineSchema(), null, 2) + '\n',
    'snippets/sds.code-snippets': JSON.stringify(presetSnippets(), null, 2) + '\n',
  };
}

/** VS Code snippets for sds.json, one per pipeline preset: the dataset folder and the inputs are the tab stops. */
function presetSnippets(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(PIPELINE_PRESETS).map(([name, p]) => {
    const body = JSON.stringify({ description: p.description, dataset: '@dataset@', inputs: ['@inputs@'], stages: p.stages }, null, 2)
      .replace(/\$/g, '\\$')
      .replace('"@dataset@"', `"\${1:${WORKSPACE_SETTINGS.outputFolder.default}}"`)
      .replace('"@inputs@"', '"${2:recordings}"');
    return [`sds.json: ${name} pipeline`, { prefix: [`sds-${name}`, 'sds-pipeline'], description: p.description + (p.needs ? ` (needs ${p.needs})` : ''), body: body.split('\n') }];
  }));
}
