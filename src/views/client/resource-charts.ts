import type { ResourcesJson } from '../../services/resources-service';
import { resourceModel, type ResourceModel } from '../resource-model';

// Live resource charts: every `[data-resources][data-active]` section (views/resource-charts.tsx) refetches
// its samples every few seconds and redraws while its run is active, then stops by itself.

const watched = new WeakSet<Element>();

function redraw(root: Element, model: ResourceModel): void {
  const set = (key: string, apply: (el: Element) => void) => root.querySelectorAll(`[data-rc="${key}"]`).forEach(apply);
  for (const kind of ['cpu', 'mem'] as const) {
    const chart = model[kind];
    set(`${kind}-line`, (el) => el.setAttribute('points', chart.line));
    set(`${kind}-area`, (el) => el.setAttribute('points', chart.area));
    set(`${kind}-now`, (el) => (el.textContent = chart.now));
    set(`${kind}-summary`, (el) => (el.textContent = chart.summary));
    set(`${kind}-scale`, (el) => (el.textContent = chart.scale));
  }
  set('empty', (el) => el.toggleAttribute('hidden', !model.empty));
}

function follow(root: HTMLElement, everyMs: number): void {
  const url = root.dataset.resources;
  if (!url || watched.has(root)) return;
  watched.add(root);
  const next = () => setTimeout(poll, everyMs);
  const poll = async () => {
    if (!root.isConnected) return;
    if (document.hidden) return void next();
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return void next();
      const model = resourceModel((await res.json()) as ResourcesJson);
      redraw(root, model);
      if (model.active) next();
      else delete root.dataset.active;
    } catch {
      next(); // offline for a moment: try again
    }
  };
  next();
}

/**
 * Follows the active resource charts of the page, and of every fragment htmx swaps in later; call once
 * the page is parsed (app.ts's start).
 */
export function initResourceCharts(everyMs = 2000): void {
  const scan = (root: Element | Document) => {
    const found = [...root.querySelectorAll<HTMLElement>('[data-resources][data-active]')];
    if (root instanceof HTMLElement && root.matches('[data-resources][data-active]')) found.push(root);
    for (const el of found) follow(el, everyMs);
  };
  scan(document);
  document.addEventListener('htmx:load', (e) => {
    if (e.target instanceof Element) scan(e.target);
  });
}
