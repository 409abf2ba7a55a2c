/** Accuracy, per-class precision/recall/F1 and the confusion matrix (rows: truth, columns: prediction). */
export interface ToneScores {
  classes: string[];
  n: number;
  accuracy: number;
  /** mean of the per-class recalls: accuracy that does not reward the majority class */
  balancedAccuracy: number;
  perClass: { cls: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
}

export function scoreTone(classes: string[], truth: string[], predicted: string[]): ToneScores {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  truth.forEach((t, i) => {
    const a = classes.indexOf(t);
    const b = classes.indexOf(predicted[i]);
    if (a >= 0 && b >= 0) confusion[a][b]++;
  });
  const perClass = classes.map((cls, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((s, v) => s + v, 0);
    const predictedN = confusion.reduce((s, row) => s + row[c], 0);
    const precision = predictedN ? tp / predictedN : 0;
    const recall = support ? tp / support : 0;
    return { cls, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const n = truth.length;
  const correct = classes.reduce((s, _, c) => s + confusion[c][c], 0);
  const present = perClass.filter((p) => p.support);
  return { classes, n, accuracy: n ? correct / n : 0, balancedAccuracy: present.reduce((s, p) => s + p.recall, 0) / Math.max(1, present.length), perClass, confusion };
}

/**
 * Leave-speakers-out folds: speakers (sorted, then dealt round-robin) split into k groups; each fold tests on one
 * group and trains on the rest, so no voice is ever in both.
 */
export function speakerFolds(speakers: string[], k: number): { train: Set<string>; test: Set<string> }[] {
  const all = [...new Set(speakers)].sort();
  const folds = Math.max(2, Math.min(k, all.length));
  return Array.from({ length: folds }, (_, f) => {
    const test = new Set(all.filter((_, i) => i % folds === f));
    return { test, train: new Set(all.filter((s) => !test.has(s))) };
  });
}

export function markdownScores(title: string, s: ToneScores): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const lines = [`### ${title}`, '', `${s.n} files, accuracy **${pct(s.accuracy)}**, balanced accuracy ${pct(s.balancedAccuracy)}`, '',
    '| class | precision | recall | F1 | files |', '|---|---|---|---|---|',
    ...s.perClass.map((p) => `| ${p.cls} | ${pct(p.precision)} | ${pct(p.recall)} | ${p.f1.toFixed(3)} | ${p.support} |`), '',
    `| truth \\ predicted | ${s.classes.join(' | ')} |`, `|---|${s.classes.map(() => '---').join('|')}|`,
    ...s.confusion.map((row, i) => `| ${s.classes[i]} | ${row.join(' | ')} |`), ''];
  return lines.join('\n');
}
