import { enhanceTextarea } from './enhance-textarea';

// Entry of /assets/editor.js: turns every `<textarea data-language>` into a code editor, both on
// page load and in fragments htmx swaps in later.
const enhanced = new WeakSet<HTMLTextAreaElement>();

const SELECTOR = 'textarea[data-language]';

function enhanceWithin(root: Element | Document): void {
  const found = [...root.querySelectorAll<HTMLTextAreaElement>(SELECTOR)];
  if (root instanceof HTMLTextAreaElement && root.matches(SELECTOR)) found.push(root);
  for (const textarea of found) {
    if (enhanced.has(textarea)) continue;
    enhanced.add(textarea);
    enhanceTextarea(textarea);
  }
}

document.addEventListener('htmx:load', (event) => {
  if (event.target instanceof Element) enhanceWithin(event.target);
});
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => enhanceWithin(document));
} else {
  enhanceWithin(document);
}
