// The stage registry: every command and its options, declared once (datasetCommands.ts, analysisCommands.ts), and
// what the rest of the code asks of them. Loading this module is what registers the declarations.
import './datasetCommands';
import './analysisCommands';
import './pipelineCommands';

export { allCommands, checkRequest, commandNamed, COMMON_OPTIONS, defineCommand, runFor, WORKSPACE_SETTINGS, type CommandDef, type CommandResult } from './commandKit';
