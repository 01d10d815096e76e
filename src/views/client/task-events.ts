import { refresh } from './on-content';
import { showProgress, type ProgressReport } from './progress-bars';

const RETRY_MS = 5000;

// Every task state on the page reloads itself; the list body does it in one request when present.
function refreshAll(): void {
  const rows = document.getElementById('task-rows');
  if (rows) refresh(rows);
  else document.querySelectorAll('.task-state').forEach(refresh);
}

// Active runs may have changed between the page's rendering and the stream's start.
function refreshActive(): void {
  document.querySelectorAll('.task-state[data-active]').forEach(refresh);
}

/**
 * Keeps task states live: the server sends a `task` event (data: the task id) whenever one of its
 * runs changes, and only that task's state is fetched again. After a lost connection everything is.
 * `progress` events update progress bars in place (the task list's and the run view's).
 */
export function initTaskEvents(): void {
  const source = document.querySelector<HTMLElement>('[data-task-events]');
  const url = source?.dataset.taskEvents;
  if (!url) return;
  let lost = false;
  const connect = (): void => {
    const events = new EventSource(url);
    events.addEventListener('task', (event) => refresh(document.getElementById(`task-state-${(event as MessageEvent<string>).data}`)));
    events.addEventListener('progress', (event) => showProgress(JSON.parse((event as MessageEvent<string>).data) as ProgressReport));
    // `ready` comes once the server listens for changes: what happened before it may have been missed.
    events.addEventListener('ready', () => {
      if (lost) refreshAll();
      else refreshActive();
      lost = false;
    });
    events.addEventListener('error', () => {
      lost = true;
      // The browser retries by itself after a dropped connection, but gives up after an HTTP error.
      if (events.readyState === EventSource.CLOSED) setTimeout(connect, RETRY_MS);
    });
  };
  connect();
}
