// Messages about requests that did not get an answer to swap in: the network failed or timed out.
function show(message: string): void {
  const flash = document.getElementById('flash');
  if (!flash) return;
  const box = document.createElement('div');
  box.className = 'alert alert-error';
  box.setAttribute('role', 'alert');
  box.append(message);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'alert-close';
  close.dataset.dismiss = '';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  box.append(close);
  flash.replaceChildren(box);
}

/** Dismiss buttons on alerts, and a message when a request never reached the server. */
export function initFlash(): void {
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-dismiss]') : null;
    button?.closest('.alert')?.remove();
  });
  document.addEventListener('htmx:sendError', () => show('The server could not be reached. Check the connection and try again.'));
  document.addEventListener('htmx:timeout', () => show('The server took too long to answer. Try again.'));
}
