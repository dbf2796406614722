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

/**
 * The preview of an import: counts first, then which tags are added, changed (and how) and
 * removed. `scope` says what `tags` counts ("in the file", "after the merge"); `badRows`, when
 * some rows are bad, that the preview is of the good rows only.
 */
export function CsvPreview({
  changes,
  tags,
  scope = 'in the file',
  badRows = 0,
}: {
  changes: CsvChanges;
  tags: number;
  scope?: string;
  badRows?: number;
}) {
  const nothing = changes.added.length + changes.removed.length + changes.changed.length === 0;
  return (
    <div class="csv-preview" data-testid="csv-preview">
      {badRows > 0 ? (
        <p class="csv-preview-partial">
          What the good rows would do. The {plural(badRows, 'bad row')} listed below must be fixed before the file can
          be imported.
        </p>
      ) : null}
      <p>
        <strong>{plural(tags, 'tag')}</strong> {scope}: {changes.added.length} added, {changes.changed.length} changed,{' '}
        {changes.removed.length} removed, {changes.unchanged} unchanged.
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
