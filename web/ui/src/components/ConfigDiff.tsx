import { diffLines } from 'diff';

/** Unchanged lines kept around each change; longer unchanged runs fold into one line. */
const CONTEXT = 3;

type Line = { kind: 'add' | 'del' | 'same'; text: string } | { kind: 'fold'; count: number };

/** Line diff of two YAML documents, as the lines to show (changes with a little context). */
export function diffView(before: string, after: string): Line[] {
  const all: Array<{ kind: 'add' | 'del' | 'same'; text: string }> = [];
  for (const part of diffLines(before, after)) {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same';
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) all.push({ kind, text });
  }
  const shown: Line[] = [];
  let i = 0;
  while (i < all.length) {
    if (all[i]?.kind !== 'same') {
      shown.push(all[i] as Line);
      i++;
      continue;
    }
    let end = i;
    while (end < all.length && all[end]?.kind === 'same') end++;
    const keepHead = i === 0 ? 0 : CONTEXT;
    const keepTail = end === all.length ? 0 : CONTEXT;
    if (end - i <= keepHead + keepTail + 1) {
      shown.push(...all.slice(i, end));
    } else {
      shown.push(...all.slice(i, i + keepHead));
      shown.push({ kind: 'fold', count: end - i - keepHead - keepTail });
      shown.push(...all.slice(end - keepTail, end));
    }
    i = end;
  }
  return shown;
}

const MARK = { add: '+', del: '−', same: ' ' } as const;

/** What changed between two configurations: removed lines red, added lines green. */
export function ConfigDiff({ before, after }: { before: string; after: string }) {
  const lines = diffView(before, after);
  if (!lines.some((l) => l.kind === 'add' || l.kind === 'del')) {
    return <p class="muted">No differences: this change applied the same configuration again.</p>;
  }
  return (
    <pre class="config-diff" data-testid="config-diff">
      {lines.map((l, i) =>
        l.kind === 'fold' ? (
          <span key={i} class="diff-fold">
            {`  … ${l.count} unchanged line${l.count === 1 ? '' : 's'}\n`}
          </span>
        ) : (
          <span key={i} class={`diff-${l.kind}`}>{`${MARK[l.kind]} ${l.text}\n`}</span>
        ),
      )}
    </pre>
  );
}
