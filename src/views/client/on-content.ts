// Runs a setup function over the page once it is parsed, and over every fragment htmx swaps in later.
type Setup = (root: Element | Document) => void;

const setups: Setup[] = [];
let ready = document.readyState !== 'loading';
// Ids of elements asked to refresh while a request of theirs was in flight (see `refresh`).
const deferred = new Set<string>();

document.addEventListener('htmx:load', (event) => {
  if (!(event.target instanceof Element)) return;
  for (const setup of setups) setup(event.target);
  for (const id of [...deferred]) {
    const el = within(event.target, `#${CSS.escape(id)}`)[0];
    if (!el) continue;
    deferred.delete(id);
    // A request the setups just started is newer than the change that asked for the refresh.
    if (!el.classList.contains('htmx-request')) refresh(el);
  }
});
if (!ready) {
  document.addEventListener('DOMContentLoaded', () => {
    ready = true;
    for (const setup of setups) setup(document);
  });
}

/** Registers `setup` for the page and for each fragment swapped in afterwards. */
export function onContent(setup: Setup): void {
  setups.push(setup);
  if (ready) setup(document);
}

/** The elements matching `selector` in `root`, `root` itself included. */
export function within<E extends Element>(root: Element | Document, selector: string): E[] {
  const found = [...root.querySelectorAll<E>(selector)];
  if (root instanceof Element && root.matches(selector)) found.unshift(root as E);
  return found;
}

/**
 * Asks an htmx element to reload itself: its `hx-trigger` includes `refresh` (the event does not
 * bubble). While the element's own request is in flight, htmx would queue the new one on the element
 * that the answer is about to replace, and then drop it, so the refresh waits for the replacement.
 */
export function refresh(el: Element | null): void {
  if (!el) return;
  if (el.id && el.classList.contains('htmx-request')) deferred.add(el.id);
  else el.dispatchEvent(new Event('refresh'));
}
