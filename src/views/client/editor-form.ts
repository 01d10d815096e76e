// Marks fields whose error slot has a message, so assistive technology announces them as invalid.
function markInvalid(form: HTMLFormElement): HTMLElement | null {
  let first: HTMLElement | null = null;
  for (const input of form.querySelectorAll<HTMLElement>('input[aria-describedby], select[aria-describedby], textarea[aria-describedby]')) {
    const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id.startsWith('error-'));
    const invalid = ids.some((id) => (document.getElementById(id)?.textContent ?? '').trim() !== '');
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    input.closest('.field')?.classList.toggle('field-invalid', invalid);
    if (invalid && !first) first = input;
  }
  return first;
}

/** The task form: Ctrl/Cmd+S saves; after a refused save (of it or the settings form) the first invalid field gets the focus. */
export function initEditorForm(): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 's' || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const form = document.getElementById('task-form');
    if (!(form instanceof HTMLFormElement)) return;
    event.preventDefault();
    form.requestSubmit();
  });
  document.addEventListener('htmx:afterSettle', (event) => {
    // The task's script and settings, and its parameters, environment and retries, are two forms.
    // Only an answer to the form itself counts: a section loading later elsewhere on the page must
    // not pull the focus back to a field the user has already moved on from.
    for (const id of ['task-form', 'settings-form']) {
      const form = document.getElementById(id);
      if (!(form instanceof HTMLFormElement) || !(event.target instanceof Node) || !form.contains(event.target)) continue;
      const first = markInvalid(form);
      if (first && form.querySelector('.save-failed')) {
        // The script's textarea is hidden behind the code editor; focus lands on the editor instead.
        const target = first.hidden ? first.nextElementSibling?.shadowRoot?.querySelector<HTMLElement>('.cm-content') : first;
        target?.focus();
      }
    }
  });
}
