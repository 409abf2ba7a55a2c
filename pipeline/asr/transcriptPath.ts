/**
 * Where a clip's words, times and probabilities are kept, relative to the dataset: transcripts/ mirrors the clip's
 * path (`clips/male/a_0001.wav` -> `transcripts/clips/male/a_0001.json`). Pure, so the clip table's webview uses it too.
 */
export function transcriptPathOf(clipPath: string): string {
  return `transcripts/${clipPath.replace(/\.[^./]+$/, '')}.json`;
}
