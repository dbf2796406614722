/**
 * Alarms as MQTT, the API and the UI see them (SPEC §3.5). Types and constants only, with no
 * imports, so that the web UI takes them as they are.
 */

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;
export type AlarmSeverityName = (typeof SEVERITY_ORDER)[number];

export type AlarmStateName = 'active' | 'normal';

/** One alarm definition of a tag, as the configuration holds it (kept equal to the schema's type in core). */
export interface AlarmDefinition {
  name: string;
  above?: number;
  below?: number;
  equals?: number | boolean | string;
  when?: string;
  deadband: number;
  delayMs: number;
  severity: AlarmSeverityName;
  message?: string;
}
export type AlarmQuality = 'good' | 'uncertain' | 'bad';
/** A tag value as JSON carries it (64-bit integers stay exact on the wire). */
export type AlarmValue = number | bigint | boolean | string | null | AlarmValue[] | { [key: string]: AlarmValue };

/** `{tag topic}/_alarm/{alarm}`, retained, on every change of state, acknowledgement or quality. */
export interface AlarmPayload {
  state: AlarmStateName;
  acked: boolean;
  severity: AlarmSeverityName;
  message: string;
  /** The tag's value at the last change. */
  value: AlarmValue;
  /** When the last change (of state, acknowledgement or quality) happened. */
  timestamp: number;
  /** While active: when it became active. */
  activeSince?: number;
  /** Only while the tag's quality is not good: the alarm keeps its state and says so. */
  quality?: AlarmQuality;
}

/** One alarm in `GET /api/v1/alarms` and in SSE `alarm` events. */
export interface AlarmStatus extends AlarmPayload {
  /** Stable across restarts: the same device, tag and alarm name give the same id. */
  id: string;
  device: string;
  tag: string;
  alarm: string;
  /** The alarm's MQTT topic. */
  topic: string;
  ackedBy?: string;
  ackedAt?: number;
  ackComment?: string;
}

export const ALARM_HISTORY_KINDS = ['active', 'normal', 'ack'] as const;
export type AlarmHistoryKind = (typeof ALARM_HISTORY_KINDS)[number];

/** One line of `GET /api/v1/alarms/history`: a state change or an acknowledgement. */
export interface AlarmHistoryEntry {
  id: number;
  at: number;
  alarmId: string;
  device: string;
  tag: string;
  alarm: string;
  kind: AlarmHistoryKind;
  severity: AlarmSeverityName;
  message: string;
  value: AlarmValue;
  /** Acknowledgements: who, through what, and why. */
  user?: string;
  source?: string;
  comment?: string;
}
