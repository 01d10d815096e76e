import type { RunJson } from '../runs/json';
import { formatUtc } from './format';

/** A run's status as a coloured badge; active states carry a pulse the stylesheet animates. */
export function StatusBadge({ status }: { status: RunJson['status'] }) {
  const active = status === 'queued' || status === 'running';
  return <span class={`badge badge-${status}${active ? ' badge-active' : ''}`}>{status}</span>;
}

/** An instant as a <time> element; with no `text`, UTC that the page script turns into local time. */
export function Time({ iso, text }: { iso: string; text?: string }) {
  if (text !== undefined)
    return (
      <time datetime={iso} title={formatUtc(iso)}>
        {text}
      </time>
    );
  return (
    <time datetime={iso} data-local="">
      {formatUtc(iso)}
    </time>
  );
}

/** A duration that the page script keeps counting up from `since` while a run is active. */
export function Elapsed({ since, text }: { since: string; text: string }) {
  return (
    <span class="elapsed" data-elapsed-since={since}>
      {text}
    </span>
  );
}
