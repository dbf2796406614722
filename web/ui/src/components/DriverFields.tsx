import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { nestedErrors } from '../config-edit';
import { keepFitting, withDefaults } from '../schema-util';
import type { SchemaDoc, SerialPortInfo } from '../types';
import { FieldErrors, SchemaForm } from './SchemaForm';

/** The draft's driver changed: the settings that still fit the new driver are kept, the rest from its defaults. */
export function withDriver<T extends { driver: string; settings: Record<string, unknown> }>(
  schema: SchemaDoc,
  draft: T,
  next: string,
): T {
  const s = schema.drivers[next]?.settings;
  return { ...draft, driver: next, settings: s ? withDefaults(s, keepFitting(s, draft.settings)) : {} };
}

/** The driver picker of a device or model form (placed in the form's grid, before its fields). */
export function DriverPicker(props: {
  schema: SchemaDoc;
  value: string;
  onChange(driver: string): void;
  errors: Map<string, string[]>;
  idPrefix: string;
  help: string;
}) {
  const id = `${props.idPrefix}-driver`;
  const messages = props.errors.get('driver') ?? [];
  return (
    <div class={`field${messages.length > 0 ? ' has-error' : ''}`}>
      <div class="field-head">
        <label for={id} class="field-label">
          Driver
        </label>
        <code class="field-key">driver</code>
      </div>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {Object.entries(props.schema.drivers).map(([key, d]) => (
          <option key={key} value={key}>
            {d.title} ({key})
          </option>
        ))}
      </select>
      <p class="help">{props.help}</p>
      <FieldErrors messages={messages} />
    </div>
  );
}

/**
 * A driver's settings form, generated from its schema (with the serial ports of this machine
 * offered for a serial driver). `errors` are the form's, keyed from its top (`settings.port`).
 */
export function DriverSettings(props: {
  schema: SchemaDoc;
  driver: string;
  value: Record<string, unknown>;
  onChange(settings: Record<string, unknown>): void;
  errors: Map<string, string[]>;
  /** Every setting optional (a model's defaults: a device built from it gives the rest). */
  allOptional?: boolean;
}) {
  const driver = props.schema.drivers[props.driver];
  const isSerial = driver?.capabilities.serialPorts === true;
  const [serialPorts, setSerialPorts] = useState<SerialPortInfo[]>([]);

  useEffect(() => {
    if (!isSerial) return;
    api<SerialPortInfo[]>('GET', '/api/v1/serial-ports').then(setSerialPorts, () => setSerialPorts([]));
  }, [isSerial]);

  return (
    <>
      <h2 class="card-title">{driver?.title ?? props.driver} settings</h2>
      {driver ? (
        <SchemaForm
          schema={props.allOptional ? { ...driver.settings, required: [] } : driver.settings}
          value={props.value}
          onChange={props.onChange}
          errors={nestedErrors(props.errors, 'settings')}
          idPrefix="settings"
          suggestions={isSerial ? { port: serialPorts.map((p) => p.path) } : undefined}
        />
      ) : (
        <p class="muted">This gateway has no driver "{props.driver}".</p>
      )}
      {isSerial && serialPorts.length > 0 ? (
        <p class="help">
          Serial ports on this machine:{' '}
          {serialPorts.map((p) => `${p.path}${p.manufacturer ? ` (${p.manufacturer})` : ''}`).join(', ')}
        </p>
      ) : null}
    </>
  );
}
