// The session's CSRF token, when the page carries one, goes with every htmx request as a header.
type ConfigRequest = CustomEvent<{ headers: Record<string, string> }>;

/** Adds X-CSRF-Token (from <meta name="csrf-token">) to htmx requests. */
export function initCsrf(): void {
  document.addEventListener('htmx:configRequest', (event) => {
    const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content;
    if (token) (event as ConfigRequest).detail.headers['X-CSRF-Token'] = token;
  });
}
