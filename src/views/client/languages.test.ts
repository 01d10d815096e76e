import { ensureSyntaxTree } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { highlighterFor, languageExtension } from './languages';

// Names of the syntax nodes the editor's parser finds in `doc`, which is what highlighting colours.
function nodeNames(language: string, doc: string): Set<string> {
  const state = EditorState.create({ doc, extensions: languageExtension(language, doc) });
  const names = new Set<string>();
  ensureSyntaxTree(state, doc.length, 5000)?.iterate({ enter: (node) => void names.add(node.name) });
  return names;
}

describe('languageExtension', () => {
  it('parses Python', () => {
    const names = nodeNames('py', 'def f(x):\n    return "s"  # note\n');
    expect(names).toContain('FunctionDefinition');
    expect(names).toContain('String');
    expect(names).toContain('Comment');
  });

  it('parses shell with the legacy stream parser', () => {
    const names = nodeNames('sh', 'if [ -n "$X" ]; then echo hi; fi # note\n');
    expect(names).toContain('keyword');
    expect(names).toContain('string');
    expect(names).toContain('comment');
  });

  it('parses JavaScript', () => {
    const names = nodeNames('js', 'function f() { return "s"; } // note\n');
    expect(names).toContain('FunctionDeclaration');
    expect(names).toContain('String');
    expect(names).toContain('LineComment');
  });

  it('leaves an unknown language as plain text', () => {
    expect(nodeNames('exec', 'def f(): pass\n').size).toBe(0);
  });
});

describe('highlighterFor', () => {
  it('accepts the task language codes and common names', () => {
    expect(highlighterFor('py', '')).toBe('py');
    expect(highlighterFor('Bash', '')).toBe('sh');
    expect(highlighterFor('javascript', '')).toBe('js');
    expect(highlighterFor('constructor', '')).toBeNull();
  });

  it('reads the #! line of an exec task', () => {
    expect(highlighterFor('exec', '#!/usr/bin/env python3\nprint(1)')).toBe('py');
    expect(highlighterFor('exec', '#!/usr/bin/env -S node --no-warnings\n')).toBe('js');
    expect(highlighterFor('exec', '#!/bin/bash -eu\n')).toBe('sh');
    expect(highlighterFor('exec', '#!/usr/bin/perl\n')).toBeNull();
    expect(highlighterFor('exec', 'echo no shebang\n')).toBeNull();
  });
});
