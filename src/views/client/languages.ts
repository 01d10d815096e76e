import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { StreamLanguage } from '@codemirror/language';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import type { Extension } from '@codemirror/state';

type Highlighted = 'py' | 'sh' | 'js';

const ALIASES = new Map<string, Highlighted>(
  Object.entries({
    py: 'py',
    python: 'py',
    python3: 'py',
    sh: 'sh',
    shell: 'sh',
    bash: 'sh',
    zsh: 'sh',
    dash: 'sh',
    js: 'js',
    mjs: 'js',
    javascript: 'js',
    node: 'js',
  } satisfies Record<string, Highlighted>),
);

const SUPPORT: Record<Highlighted, () => Extension> = {
  py: () => python(),
  sh: () => StreamLanguage.define(shell),
  js: () => javascript(),
};

// The interpreter a `#!` line names, as in `#!/usr/bin/env python3` or `#!/bin/bash -e`.
function shebangInterpreter(content: string): string {
  const line = /^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?/.exec(content);
  if (!line) return '';
  const program = line[1].split('/').pop() ?? '';
  return program === 'env' ? (line[2] ?? '') : program;
}

/** Which highlighter a task language (py, sh, js; exec or unknown: by its `#!` line) gets, or null. */
export function highlighterFor(language: string, content: string): Highlighted | null {
  return ALIASES.get(language.toLowerCase()) ?? ALIASES.get(shebangInterpreter(content)) ?? null;
}

/** The CodeMirror language support for a task language; an empty extension leaves text plain. */
export function languageExtension(language: string, content: string): Extension {
  const highlighted = highlighterFor(language, content);
  return highlighted ? SUPPORT[highlighted]() : [];
}
