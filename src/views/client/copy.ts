// Copy buttons: <button data-copy="#id"> copies the text of the element #id (a secret shown once, a
// command). Where the clipboard is not available (plain http on another host), the text is selected.

function select(el: Element): void {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

/** Handles clicks on [data-copy] buttons anywhere on the page, now and in fragments swapped in later. */
export function initCopy(): void {
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-copy]') : null;
    const source = button?.dataset.copy ? document.querySelector(button.dataset.copy) : null;
    if (!button || !source) return;
    const text = source.textContent ?? '';
    const done = (label: string) => {
      const before = button.textContent;
      button.textContent = label;
      setTimeout(() => (button.textContent = before), 2000);
    };
    if (!navigator.clipboard) {
      select(source);
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => done('Copied'),
      () => select(source),
    );
  });
}
