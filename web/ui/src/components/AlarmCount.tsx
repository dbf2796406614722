import { useAlarms } from '../alarms';
import { Link } from '../router';

/** The top bar's alarm count (active or unacknowledged), live; red while any is unacknowledged. */
export function AlarmCount({ active }: { active: boolean }) {
  const { alarms } = useAlarms();
  const count = alarms?.length ?? 0;
  const unacked = alarms?.filter((a) => !a.acked).length ?? 0;
  const title =
    count === 0
      ? 'No alarms'
      : `${count} alarm${count === 1 ? '' : 's'}${unacked ? `, ${unacked} not acknowledged` : ''}`;
  return (
    <Link
      href="/alarms"
      class={`alarm-count${unacked > 0 ? ' has-unacked' : count > 0 ? ' has-alarms' : ''}${active ? ' active' : ''}`}
      title={title}
      aria-label={title}
    >
      <span class="alarm-count-mark" aria-hidden="true" />
      <span class="alarm-count-word" aria-hidden="true">
        Alarms
      </span>
      <span class="alarm-count-number" data-testid="alarm-count">
        {count}
      </span>
    </Link>
  );
}
