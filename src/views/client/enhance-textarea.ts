import { Compartment } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { editorExtensions, themeFor } from './editor-setup';
import { languageExtension } from './languages';

const DARK = '(prefers-color-scheme: dark)';

const KEYBOARD_HINT = 'Tab indents; press Escape then Tab to leave the editor.';

const textOf = (ids: string | null): string =>
  (ids ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
    .filter(Boolean)
    .join(' ');

// The editor lives in a shadow root, where id references to the page's label cannot reach, so its
// name and description are copied as text.
function accessibleName(textarea: HTMLTextAreaElement): Record<string, string> {
  const labels = [...(textarea.labels ?? [])].map((label) => label.textContent?.trim() ?? '').join(' ');
  const name = textOf(textarea.getAttribute('aria-labelledby')) || labels || textarea.getAttribute('aria-label');
  const description = textOf(textarea.getAttribute('aria-describedby'));
  return {
    'aria-label': name || textarea.name,
    'aria-description': description ? `${description} ${KEYBOARD_HINT}` : KEYBOARD_HINT,
  };
}

/** Replaces a textarea with a CodeMirror editor that writes every change back into the textarea. */
export function enhanceTextarea(textarea: HTMLTextAreaElement): EditorView {
  const slots = { language: new Compartment(), theme: new Compartment() };
  const scheme = window.matchMedia(DARK);
  // A shadow root makes CodeMirror use a constructed stylesheet, which a strict style-src CSP
  // allows, where the <style> element it otherwise adds would be blocked.
  const host = document.createElement('div');
  const shadow = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    doc: textarea.value,
    extensions: [
      editorExtensions(slots, textarea.dataset.language ?? '', textarea.value, scheme.matches),
      EditorView.contentAttributes.of(accessibleName(textarea)),
      // The textarea stays in the form, so a plain or htmx submit sends what the editor shows.
      EditorView.updateListener.of((update) => {
        if (update.docChanged) textarea.value = update.state.doc.toString();
      }),
    ],
  });
  textarea.after(host);
  textarea.hidden = true;

  for (const label of textarea.labels ?? []) {
    label.addEventListener('click', (event) => {
      event.preventDefault();
      view.focus();
    });
  }
  scheme.addEventListener('change', (event) => {
    view.dispatch({ effects: slots.theme.reconfigure(themeFor(event.matches)) });
  });
  const select = textarea.form?.querySelector<HTMLSelectElement>('select[name="language"]');
  select?.addEventListener('change', () => {
    textarea.dataset.language = select.value;
    const language = languageExtension(select.value, view.state.doc.toString());
    view.dispatch({ effects: slots.language.reconfigure(language) });
  });
  return view;
}
