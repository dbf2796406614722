import type { AlarmDefinition } from '../../../../core/alarms/alarm-types';
import { SEVERITY_LABEL } from '../alarms';

type ConditionKind = 'above' | 'below' | 'equals' | 'when';
const KINDS: ConditionKind[] = ['above', 'below', 'equals', 'when'];
const KIND_LABEL: Record<ConditionKind, string> = {
  above: 'above',
  below: 'below',
  equals: 'equals',
  when: 'when (expression)',
};

function kindOf(a: AlarmDefinition): ConditionKind {
  return KINDS.find((k) => a[k] !== undefined) ?? 'above';
}

function conditionText(a: AlarmDefinition): string {
  const v = a[kindOf(a)];
  return v === undefined ? '' : String(v);
}

/** The text of the condition's box as the configuration wants it: numbers for limits, typed for equals. */
function conditionValue(kind: ConditionKind, text: string, tagType: string | undefined): number | boolean | string {
  if (kind === 'when') return text;
  if (kind === 'equals') {
    if (tagType === 'string') return text;
    if (text === 'true' || text === 'false') return text === 'true';
  }
  const n = Number(text);
  // A number box left with text is sent as it is: the gateway says what is wrong with it.
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function withCondition(a: AlarmDefinition, kind: ConditionKind, value: number | boolean | string): AlarmDefinition {
  const { above: _a, below: _b, equals: _e, when: _w, ...rest } = a;
  const next = { ...rest, [kind]: value } as AlarmDefinition;
  if (kind === 'equals' || kind === 'when') next.deadband = 0;
  return next;
}

interface Props {
  alarms: AlarmDefinition[] | undefined;
  tagType: string | undefined;
  onChange(next: AlarmDefinition[] | undefined): void;
}

/** The alarms of a tag in the tag editor: one row each, added and removed in place. */
export function AlarmsEditor({ alarms, tagType, onChange }: Props) {
  const list = alarms ?? [];
  const update = (i: number, next: AlarmDefinition) => onChange(list.map((a, k) => (k === i ? next : a)));
  const number = (raw: string) => (raw === '' ? 0 : Number(raw));
  return (
    <fieldset class="alarm-editor" data-testid="alarm-editor">
      <legend class="field-label">Alarms</legend>
      {list.length === 0 ? <p class="help">No alarms on this tag.</p> : null}
      {list.map((a, i) => {
        const kind = kindOf(a);
        const id = `alarm-${i}`;
        return (
          <div class="alarm-editor-row" key={i} data-alarm-row={i}>
            <div class="field">
              <label class="field-label" for={`${id}-name`}>
                Alarm name
              </label>
              <input
                id={`${id}-name`}
                type="text"
                value={a.name}
                onInput={(e) => update(i, { ...a, name: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label class="field-label" for={`${id}-kind`}>
                Condition
              </label>
              <select
                id={`${id}-kind`}
                value={kind}
                onChange={(e) => {
                  const next = e.currentTarget.value as ConditionKind;
                  update(i, withCondition(a, next, conditionValue(next, conditionText(a), tagType)));
                }}
              >
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </select>
            </div>
            <div class={`field${kind === 'when' ? ' wide' : ''}`}>
              <label class="field-label" for={`${id}-value`}>
                {kind === 'when' ? 'Expression' : 'Limit / value'}
              </label>
              <input
                id={`${id}-value`}
                type="text"
                spellcheck={false}
                placeholder={kind === 'when' ? '{device/tag} > 80' : ''}
                value={conditionText(a)}
                onInput={(e) => update(i, withCondition(a, kind, conditionValue(kind, e.currentTarget.value, tagType)))}
              />
            </div>
            {kind === 'above' || kind === 'below' ? (
              <div class="field">
                <label class="field-label" for={`${id}-deadband`}>
                  Deadband
                </label>
                <input
                  id={`${id}-deadband`}
                  type="number"
                  step="any"
                  value={String(a.deadband ?? 0)}
                  onInput={(e) => update(i, { ...a, deadband: number(e.currentTarget.value) })}
                />
              </div>
            ) : null}
            <div class="field">
              <label class="field-label" for={`${id}-delay`}>
                Delay (ms)
              </label>
              <input
                id={`${id}-delay`}
                type="number"
                step={1}
                value={String(a.delayMs ?? 0)}
                onInput={(e) => update(i, { ...a, delayMs: number(e.currentTarget.value) })}
              />
            </div>
            <div class="field">
              <label class="field-label" for={`${id}-severity`}>
                Severity
              </label>
              <select
                id={`${id}-severity`}
                value={a.severity}
                onChange={(e) => update(i, { ...a, severity: e.currentTarget.value as AlarmDefinition['severity'] })}
              >
                {(['low', 'medium', 'high', 'critical'] as const).map((s) => (
                  <option key={s} value={s}>
                    {SEVERITY_LABEL[s]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field wide">
              <label class="field-label" for={`${id}-message`}>
                Message
              </label>
              <input
                id={`${id}-message`}
                type="text"
                placeholder="e.g. Zone 1 over temperature: {value} {unit}"
                value={a.message ?? ''}
                onInput={(e) => {
                  const { message: _m, ...rest } = a;
                  const text = e.currentTarget.value;
                  update(i, text ? { ...rest, message: text } : rest);
                }}
              />
            </div>
            <button
              type="button"
              class="button small danger-outline"
              aria-label={`Remove alarm ${a.name || i + 1}`}
              onClick={() => {
                const next = list.filter((_, k) => k !== i);
                onChange(next.length > 0 ? next : undefined);
              }}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button
        type="button"
        class="button small"
        onClick={() =>
          onChange([
            ...list,
            {
              name: list.length === 0 ? 'high' : `alarm${list.length + 1}`,
              ...(tagType === 'bool' || tagType === 'string'
                ? { equals: tagType === 'bool' ? true : '' }
                : { above: 0 }),
              deadband: 0,
              delayMs: 0,
              severity: 'medium',
            },
          ])
        }
      >
        + Add alarm
      </button>
    </fieldset>
  );
}
