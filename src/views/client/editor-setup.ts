import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { type Compartment, EditorState, type Extension } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { languageExtension } from './languages';

/** Slots of an editor that change after it is created. */
export interface EditorSlots {
  language: Compartment;
  theme: Compartment;
}

const layout = EditorView.theme({
  '&': { border: '1px solid #8c959f', borderRadius: '4px', fontSize: '0.9rem' },
  '&.cm-focused': { outline: '2px solid #0969da', outlineOffset: '1px' },
  '.cm-scroller': { minHeight: '16rem', maxHeight: '70vh', fontFamily: 'ui-monospace, monospace' },
});

/** The colour theme for the page's colour scheme: One Dark, or CodeMirror's default light style. */
export function themeFor(dark: boolean): Extension {
  return dark ? oneDark : syntaxHighlighting(defaultHighlightStyle, { fallback: true });
}

/** Everything a task editor is made of: line numbers, history, Tab indenting, language and theme. */
export function editorExtensions(slots: EditorSlots, language: string, content: string, dark: boolean): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    indentUnit.of('    '),
    EditorState.tabSize.of(4),
    // Tab indents; Escape then Tab still leaves the editor (CodeMirror's built-in escape hatch),
    // and Ctrl-M / Shift-Alt-M (defaultKeymap) toggles Tab between indenting and moving focus.
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    layout,
    slots.language.of(languageExtension(language, content)),
    slots.theme.of(themeFor(dark)),
  ];
}
