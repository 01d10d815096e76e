/** Languages a task can be created in; `exec` is any other executable file with a shebang. */
export const CREATABLE_LANGUAGES = ['py', 'sh', 'js'] as const;
export type CreatableLanguage = (typeof CREATABLE_LANGUAGES)[number];
export type Language = CreatableLanguage | 'exec';

const BY_EXTENSION: Record<string, CreatableLanguage> = { '.py': 'py', '.sh': 'sh', '.js': 'js', '.mjs': 'js' };

/** The language a file name implies, or `exec` when only its executable bit can run it. */
export function languageOf(fileName: string): Language {
  const dot = fileName.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[fileName.slice(dot).toLowerCase()]) || 'exec';
}

/** The file extension used when creating a task in `language`. */
export function extensionFor(language: CreatableLanguage): string {
  return `.${language}`;
}
