/** What a CSV import would change (`PUT …/tags.csv?dryRun=true`). */
export interface CsvChanges {
  added: Array<{ group: string; tag: string }>;
  removed: Array<{ group: string; tag: string }>;
  changed: Array<{ group: string; tag: string; fields: string[] }>;
  unchanged: number;
  groupsAdded: string[];
  groupsEmptied: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const LIST_LIMIT = 50;

function TagList({
  title,
  items,
  kind,
}: {
  title: string;
  items: Array<{ group: string; tag: string }>;
  kind: string;
}) {
  if (items.length === 0) return null;
  return (
    <details class={`csv-preview-list preview-${kind}`} open={items.length <= 10}>
      <summary>
        {title} ({items.length})
      </summary>
      <ul>
        {items.slice(0, LIST_LIMIT).map((t) => (
          <li key={`${t.group}/${t.tag}`}>
            <code>{t.tag}</code> <span class="muted">in {t.group}</span>
          </li>
        ))}
        {items.length > LIST_LIMIT ? <li class="muted">… and {items.length - LIST_LIMIT} more</li> : null}
      </ul>
    </details>
  );
}

/** The preview of an import: counts first, then which tags are added, changed (and how) and removed. */
export function CsvPreview({ changes, tags }: { changes: CsvChanges; tags: number }) {
  const nothing = changes.added.length + changes.removed.length + changes.changed.length === 0;
  return (
    <div class="csv-preview" data-testid="csv-preview">
      <p>
        <strong>{plural(tags, 'tag')}</strong> in the file: {changes.added.length} added, {changes.changed.length}{' '}
        changed, {changes.removed.length} removed, {changes.unchanged} unchanged.
        {changes.groupsAdded.length > 0 ? ` New groups (default settings): ${changes.groupsAdded.join(', ')}.` : ''}
        {changes.groupsEmptied.length > 0 ? ` Groups left without tags: ${changes.groupsEmptied.join(', ')}.` : ''}
      </p>
      {nothing ? <p class="muted">The file matches the tags as they are; importing it changes nothing.</p> : null}
      <TagList title="Added" items={changes.added} kind="added" />
      {changes.changed.length > 0 ? (
        <details class="csv-preview-list preview-changed" open={changes.changed.length <= 10}>
          <summary>Changed ({changes.changed.length})</summary>
          <ul>
            {changes.changed.slice(0, LIST_LIMIT).map((t) => (
              <li key={`${t.group}/${t.tag}`}>
                <code>{t.tag}</code> <span class="muted">in {t.group}</span>: {t.fields.join('; ')}
              </li>
            ))}
            {changes.changed.length > LIST_LIMIT ? (
              <li class="muted">… and {changes.changed.length - LIST_LIMIT} more</li>
            ) : null}
          </ul>
        </details>
      ) : null}
      <TagList title="Removed" items={changes.removed} kind="removed" />
    </div>
  );
}
