import type { Child } from 'hono/jsx';

/** The fields of the task form, in the order their errors are reported. */
export const FORM_FIELDS = ['id', 'language', 'description', 'timeout_s', 'content'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** What the form shows: the values as typed (strings) and a message per invalid field. */
export type FormValues = Record<FormField, string>;
export type FieldErrors = Partial<Record<string, string>>;

/** A field's error slot; `oob` sends it out of band so a save updates it without touching the editor. */
export function FieldError({ name, message, oob }: { name: string; message?: string; oob?: boolean }) {
  return (
    <p id={`error-${name}`} class="field-error" hx-swap-oob={oob ? 'true' : undefined}>
      {message ?? ''}
    </p>
  );
}

type FieldProps = { name: string; label: string; hint?: string; error?: string; children: Child };

/** A labelled form field with its hint and its error slot beside it. */
export function Field({ name, label, hint, error, children }: FieldProps) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={`f-${name}`} id={`label-${name}`}>
        {label}
      </label>
      {children}
      {hint && (
        <p id={`hint-${name}`} class="hint">
          {hint}
        </p>
      )}
      <FieldError name={name} message={error} />
    </div>
  );
}

/** The ids an input's aria-describedby names: its hint (when it has one) and its error slot. */
export function describedBy(name: string, hint: boolean): string {
  return hint ? `hint-${name} error-${name}` : `error-${name}`;
}

/** The answer to a save through htmx: a status line, plus every field's error slot out of band. */
export function SaveResult({
  fields,
  errors,
  message,
  ok,
}: {
  fields: readonly string[];
  errors: FieldErrors;
  message: Child;
  ok: boolean;
}) {
  return (
    <>
      <span class={ok ? 'save-ok' : 'save-failed'}>{message}</span>
      {fields.map((f) => (
        <FieldError name={f} message={errors[f]} oob />
      ))}
    </>
  );
}
