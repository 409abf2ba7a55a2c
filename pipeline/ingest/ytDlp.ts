import { spawn } from 'node:child_process';

/** Sites that serve audio only to a browser (signatures, players): their pages go through yt-dlp. */
const BROWSER_SITES = /(^|\.)(youtube\.com|youtu\.be|youtube-nocookie\.com|vimeo\.com|soundcloud\.com|twitch\.tv|dailymotion\.com|bandcamp\.com|mixcloud\.com|tiktok\.com|facebook\.com|instagram\.com|x\.com|twitter\.com)$/i;

export function needsYtDlp(url: string): boolean {
  try {
    return BROWSER_SITES.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

export const YT_DLP_MISSING = 'this site needs yt-dlp, which is not installed: install it (pipx install yt-dlp, or apt install yt-dlp), or set SDS_YT_DLP to its path, and run the same command again';

/**
 * Best audio of one page through yt-dlp, into `dir` with a safe name; its own archive file makes a rerun skip what
 * it fetched before. Resolves to the file written, or undefined when the archive says it is already done.
 */
export function ytDlpAudio(url: string, dir: string, archive: string, opts: { signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<string | undefined> {
  const bin = process.env.SDS_YT_DLP || 'yt-dlp';
  const args = ['--no-playlist', '--no-progress', '-f', 'bestaudio/best', '--restrict-filenames', '--download-archive', archive,
    '-o', `${dir}/%(title).60B-%(id)s.%(ext)s`, '--print', 'after_move:filepath', url];
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error(YT_DLP_MISSING) : e));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`yt-dlp failed: ${err.trim().split('\n').pop() ?? `exit ${code}`}`));
      const file = out.trim().split('\n').filter(Boolean).pop();
      opts.log?.(`yt-dlp: ${file ?? 'already in its archive'}`);
      resolve(file);
    });
  });
}
