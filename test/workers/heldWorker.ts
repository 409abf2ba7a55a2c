import { serveRequests } from '../../pipeline/util/processPool';

/**
 * A ProcessPool worker for the pool's own test: it holds requests until `hold` of them are in flight, then answers
 * them all with its pid and how many it held, so a pool that gives a worker fewer at once never gets an answer.
 */
serveRequests<{ hold: number }, number, { pid: number; held: number; req: number }>(async ({ hold }) => {
  const held: { req: number; answer: (v: { pid: number; held: number; req: number }) => void }[] = [];
  return (req) => new Promise((answer) => {
    held.push({ req, answer });
    if (held.length < hold) return;
    for (const h of held.splice(0)) h.answer({ pid: process.pid, held: hold, req: h.req });
  });
});
