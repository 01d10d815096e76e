import { CsrfField } from './csrf-field';
import { Layout } from './layout';

type SignInProps = { next: string; name?: string; error?: string };

/**
 * The sign-in page: name and password; `next` is where to go afterwards. A browser that still holds a
 * session posts its CSRF token too: signing in ends that session.
 */
export function SignInPage({ next, name, error }: SignInProps) {
  return (
    <Layout title="Sign in" bare>
      <section class="auth-card">
        <h1>Sign in</h1>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action="/login" class="auth-form">
          <CsrfField />
          <input type="hidden" name="next" value={next} />
          <div class="field">
            <label for="f-name">Name</label>
            <input id="f-name" name="name" value={name ?? ''} required autocomplete="username" autofocus />
          </div>
          <div class="field">
            <label for="f-password">Password</label>
            <input id="f-password" name="password" type="password" required autocomplete="current-password" />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              Sign in
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

type SetupProps = { name?: string; error?: string };

/** First start: create the first admin with the one-time code printed on the console and in app.log. */
export function SetupPage({ name, error }: SetupProps) {
  return (
    <Layout title="Set up taskrun" bare>
      <section class="auth-card">
        <h1>Set up taskrun</h1>
        <p>
          Create the first admin. The one-time setup code is in the console output and in <code>logs/app.log</code> of the web process.
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action="/setup" class="auth-form">
          <div class="field">
            <label for="f-code">Setup code</label>
            <input id="f-code" name="code" required autocomplete="one-time-code" spellcheck={false} />
          </div>
          <div class="field">
            <label for="f-name">Admin name</label>
            <input id="f-name" name="name" value={name ?? 'admin'} required autocomplete="username" />
          </div>
          <div class="field">
            <label for="f-password">Password (8 characters or more)</label>
            <input id="f-password" name="password" type="password" required minlength={8} autocomplete="new-password" />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              Create admin and sign in
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

type PasswordProps = { name: string; error?: string; changed?: boolean };

/** The signed-in user's own password: the current one, the new one twice. */
export function PasswordPage({ name, error, changed }: PasswordProps) {
  return (
    <Layout title="Change password">
      <section class="auth-card">
        <h1>Change password</h1>
        {changed && (
          <p class="alert alert-info" role="status">
            Your password is changed. Your other sessions are signed out.
          </p>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action="/account/password" class="auth-form">
          <CsrfField />
          <input name="name" value={name} autocomplete="username" readonly hidden />
          <div class="field">
            <label for="f-current">Current password</label>
            <input id="f-current" name="current_password" type="password" required autocomplete="current-password" autofocus />
          </div>
          <div class="field">
            <label for="f-new">New password (8 characters or more)</label>
            <input id="f-new" name="new_password" type="password" required minlength={8} autocomplete="new-password" />
          </div>
          <div class="field">
            <label for="f-confirm">New password again</label>
            <input id="f-confirm" name="confirm_password" type="password" required minlength={8} autocomplete="new-password" />
          </div>
          <p class="hint">Every other browser signed in as {name} is signed out.</p>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              Change password
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
