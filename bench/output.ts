/** Writes a run's JSON (after every scenario, so a failed run keeps what it measured) and its tables. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, textTable } from './lib/table.js';
import { sections } from './report.js';
import type { BenchResults } from './results.js';

/** bench/results, also when running from the compiled copy in bench/results/build/bench. */
export const RESULTS_DIR = fileURLToPath(new URL('../../', import.meta.url));

export function resultPaths(startedAt: Date): { json: string; markdown: string } {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  return { json: join(RESULTS_DIR, `${stamp}.json`), markdown: join(RESULTS_DIR, `${stamp}.md`) };
}

export function saveJson(path: string, results: BenchResults): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

export function renderText(results: BenchResults): string {
  return sections(results)
    .map((s) => `\n${s.title}\n${textTable(s.headers, s.rows)}`)
    .join('\n');
}

export function saveMarkdown(path: string, results: BenchResults): void {
  const body = sections(results)
    .map((s) => `**${s.title}**\n\n${markdownTable(s.headers, s.rows)}\n`)
    .join('\n');
  writeFileSync(path, body);
}
