import { getContext } from 'hono/context-storage';
import type { Child } from 'hono/jsx';
import type { Principal } from '../auth/roles';
import '../routes/security/context';

/** Which top-level section a page belongs to, for the navigation's current marker. */
export type Section = 'tasks' | 'runs' | 'schedules' | 'system' | 'audit';

// Set once for every page: no inline styles (CSP), no eval (no hx-on, no filters), and error answers
// are swapped into #flash unless the server names another target with HX-Retarget. A 4xx is an
// expected answer (a refusal to show), so only a 5xx counts as a failed request.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true, error: false, target: '#flash', swapOverride: 'innerHTML' },
    { code: '5..', swap: true, error: true, target: '#flash', swapOverride: 'innerHTML' },
  ],
});

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'tasks', href: '/', label: 'Tasks' },
  { section: 'runs', href: '/runs', label: 'Runs' },
  { section: 'schedules', href: '/schedules', label: 'Schedules' },
  { section: 'system', href: '/system', label: 'System' },
];

/**
 * `bare`: no navigation (sign-in, setup); `editor`: also load the code editor; `csrfToken`: the
 * session's token, which the page script sends as X-CSRF-Token with every htmx request.
 */
type LayoutProps = { title: string; section?: Section; editor?: boolean; bare?: boolean; csrfToken?: string; children?: Child };

/** The signed-in caller of the request being rendered; none when rendering outside a request (view tests). */
export function currentPrincipal(): Principal | undefined {
  try {
    return getContext().get('who')?.principal;
  } catch {
    return undefined;
  }
}

/**
 * Who is signed in, the Audit link for admins, the password page, and sign-out (a form: it changes
 * state, so it needs the CSRF token).
 */
function Account({ principal, csrf }: { principal: Principal; csrf?: string }) {
  return (
    <div class="account">
      {principal.role === 'admin' && <a href="/audit">Audit</a>}
      {principal.role === 'admin' && <a href="/notifications">Notifications</a>}
      <span class="who" title={`role: ${principal.role}`}>
        {principal.name}
      </span>
      {principal.kind === 'user' && <a href="/account/password">Password</a>}
      {principal.kind === 'user' && (
        <form method="post" action="/logout" class="signout">
          <input type="hidden" name="_csrf" value={csrf ?? ''} />
          <button type="submit" class="btn btn-small">
            Sign out
          </button>
        </form>
      )}
    </div>
  );
}

/** The page around every view: head with the app's own assets, top navigation, flash region, main. */
export function Layout({ title, section, editor, bare, csrfToken, children }: LayoutProps) {
  const principal = bare ? undefined : currentPrincipal();
  const csrf = csrfToken ?? principal?.csrfToken;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        {csrf && <meta name="csrf-token" content={csrf} />}
        <title>{`${title} · taskrun`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <script src="/assets/htmx.min.js" defer></script>
        <script src="/assets/app.js" defer></script>
        {editor && <script src="/assets/editor.js" defer></script>}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <a class="brand" href="/">
            taskrun
          </a>
          {!bare && (
            <>
              <nav aria-label="Main">
                <ul>
                  {NAV.map((n) => (
                    <li>
                      <a href={n.href} aria-current={n.section === section ? 'page' : undefined}>
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <a class="btn btn-primary btn-small" href="/tasks/new">
                New task
              </a>
              {principal && <Account principal={principal} csrf={csrf} />}
            </>
          )}
        </header>
        <div id="flash" class="flash" role="alert" aria-live="assertive"></div>
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
