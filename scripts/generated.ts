import { cliDoc } from '../cli/help';
import { settingsSchema, stageOptionsSchema } from '../pipeline/stages/settings';

/** Each generated file's path and text; package.json keeps everything but its settings as they are. */
export function generated(packageJson: string): Record<string, string> {
  const pkg = JSON.parse(packageJson);
  pkg.contributes.configuration.properties = settingsSchema();
  return {
    'docs/cli.md': cliDoc() + '\n',
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'schemas/stage-options.schema.json': JSON.stringify(stageOptionsSchema(), null, 2) + '\n',
  };
}
