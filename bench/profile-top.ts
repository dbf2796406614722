/**
 * Prints the functions with the most self time in a V8 .cpuprofile (from `--cpu-prof`), and the
 * share of each source file: `node bench/results/build/bench/profile-top.js FILE [N] [FUNCTION] [--skip=S]`
 * (--skip leaves out the first S seconds, i.e. start-up);
 * with FUNCTION, also the call paths (10 frames up) that lead to that function's self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const flags = process.argv.slice(2).filter((a) => a.startsWith('--skip='));
const [file, count, callersOf] = process.argv.slice(2).filter((a) => !a.startsWith('--skip='));
/** Seconds from the start of the profile to leave out (start-up). */
const skipUs = Number(flags[0]?.slice('--skip='.length) ?? 0) * 1e6;
if (!file) {
  process.stderr.write(
    'usage: profile-top FILE.cpuprofile [N] [FUNCTION] [--skip=SECONDS]  (FUNCTION: show who calls it)\n',
  );
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
let elapsedUs = 0;
profile.samples.forEach((id, i) => {
  elapsedUs += profile.timeDeltas[i] ?? 0;
  if (elapsedUs >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|bench\/results\/build)\//, '$1/');
const fns = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)?.callFrame;
  if (!f) continue;
  const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '(native)';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const fileKey = f.url ? shortUrl(f.url) : `(${f.functionName || 'native'})`;
  files.set(fileKey, (files.get(fileKey) ?? 0) + us);
}

const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    )
    .join('\n');

process.stdout.write(
  `total ${(total / 1e6).toFixed(2)} s sampled\n\nself time by function\n${top(fns, Number(count ?? 40))}\n`,
);
process.stdout.write(`\nself time by file\n${top(files, 25)}\n`);

if (callersOf) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number) => {
    const f = byId.get(id)?.callFrame;
    return f ? `${f.functionName || '(anonymous)'}@${shortUrl(f.url).split('/').pop()}:${f.lineNumber + 1}` : '?';
  };
  const paths = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName !== callersOf) continue;
    const chain: string[] = [];
    for (let p = parent.get(id), i = 0; p !== undefined && i < 10; p = parent.get(p), i++) chain.push(label(p));
    const key = chain.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  process.stdout.write(`\ncallers of ${callersOf}\n${top(paths, 15)}\n`);
}
