/** `0:42 elapsed, ~1:10 left`: a stage's time so far and, from the share of it done, what is left (CLI and VS Code). */
export function elapsedAndLeft(elapsedSeconds: number, share: number): string {
  const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${clock(elapsedSeconds)} elapsed${share > 0 && share < 1 ? `, ~${clock((elapsedSeconds * (1 - share)) / share)} left` : ''}`;
}
