import { Layout } from './layout';

/** What an error shows: its message and, for a busy task, the run that holds it. */
export type ErrorInfo = { status: number; message: string; runId?: number };

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many runs queued',
  500: 'Something went wrong',
};

/** The error as a fragment, swapped next to what caused it (or into the flash region). */
export function ErrorMessage({ error }: { error: ErrorInfo }) {
  return (
    <div class="alert alert-error" role="alert" data-status={String(error.status)}>
      <span>{error.message}</span>
      {error.runId !== undefined && (
        <>
          {' '}
          <a href={`/runs/${error.runId}`}>View run #{error.runId}</a>
        </>
      )}
      <button type="button" class="alert-close" data-dismiss="" aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

/** The error as a whole page, for a request that was a page load. */
export function ErrorPage({ error }: { error: ErrorInfo }) {
  const title = TITLES[error.status] ?? 'Error';
  return (
    <Layout title={title}>
      <section class="error-page">
        <h1>{title}</h1>
        <p class="alert alert-error">{error.message}</p>
        {error.runId !== undefined && (
          <p>
            <a href={`/runs/${error.runId}`}>View run #{error.runId}</a>
          </p>
        )}
        <p>
          <a href="/">Back to the tasks</a>
        </p>
      </section>
    </Layout>
  );
}
