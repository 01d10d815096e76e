import { describe, expect, it } from 'vitest';
import { MAX_PROGRAM } from './param-pattern';
import { checkParams, paramDefs, paramEnvName, paramsForProcess, type ParamDef } from './params';

const defs = (list: unknown[]): ParamDef[] => paramDefs.parse(list);

describe('paramDefs', () => {
  it('accepts every type with its checks', () => {
    const list = [
      { name: 'a', type: 'string', pattern: '[a-z]+', min: 1, max: 5, label: 'A', description: 'd', required: true, default: 'abc' },
      { name: 'b', type: 'integer', min: -1, max: 1, default: 0 },
      { name: 'c', type: 'number', default: 0.5 },
      { name: 'd', type: 'boolean', default: false },
      { name: 'e', type: 'choice', choices: ['x', 'y'], default: 'y' },
      { name: 'f', type: 'text', max: 10 },
      { name: 'g', type: 'secret', required: true },
    ];
    expect(paramDefs.parse(list)).toEqual(list);
  });

  it.each([
    [[{ name: '_a', type: 'string' }], '0.name'],
    [[{ name: 'a'.repeat(65), type: 'string' }], '0.name'],
    [[{ name: 'a', type: 'file' }], '0.type'],
    [[{ name: 'a', type: 'choice' }], '0.choices'],
    [[{ name: 'a', type: 'choice', choices: [] }], '0.choices'],
    [[{ name: 'a', type: 'string', choices: ['x'] }], '0.choices'],
    [[{ name: 'a', type: 'string', pattern: '[' }], '0.pattern'],
    [[{ name: 'a', type: 'integer', default: 1.5 }], '0.default'],
    [[{ name: 'a', type: 'choice', choices: ['x'], default: 'z' }], '0.default'],
    [[{ name: 'a', type: 'secret', default: 'pw' }], '0.default'],
    [[{ name: 'a', type: 'number', min: 3, max: 2 }], '0.min'],
    [[{ name: 'a', type: 'string', extra: 1 }], '0'],
    [
      [
        { name: 'a', type: 'string' },
        { name: 'A', type: 'string' },
      ],
      '1.name',
    ],
    [Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, type: 'string' })), ''],
  ])('refuses %j at %s', (list, where) => {
    const result = paramDefs.safeParse(list);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(where);
  });
});

describe('checkParams', () => {
  const every = defs([
    { name: 's', type: 'string', pattern: 'v[0-9]+', max: 5 },
    { name: 'i', type: 'integer', min: 1, max: 10, default: 3 },
    { name: 'n', type: 'number' },
    { name: 'b', type: 'boolean' },
    { name: 'c', type: 'choice', choices: ['x', 'y'] },
    { name: 't', type: 'text', min: 2 },
    { name: 'k', type: 'secret' },
  ]);

  it('fills defaults, gives booleans false, converts strings, and keeps secrets apart', () => {
    expect(checkParams(every, { s: 'v12', n: '-2.5', b: 'on', c: 'y', t: 'a\nb', k: 'pw' })).toEqual({
      values: { s: 'v12', i: 3, n: -2.5, b: true, c: 'y', t: 'a\nb' },
      secrets: { k: 'pw' },
    });
    expect(checkParams(every, undefined)).toEqual({ values: { i: 3, b: false }, secrets: {} });
    expect(checkParams(every, { s: '', i: null })).toEqual({ values: { i: 3, b: false }, secrets: {} });
  });

  it('anchors a pattern to the whole value', () => {
    expect(checkParams(every, { s: 'xv1' })).toEqual({ errors: { s: 'must match v[0-9]+' } });
    expect(checkParams(every, { s: 'v1x' })).toEqual({ errors: { s: 'must match v[0-9]+' } });
  });

  it('names each problem by field', () => {
    expect(checkParams(every, { s: 'v123456', i: 11, n: 'NaN', b: 'maybe', c: 'z', t: 'a', k: 5, z: 1 })).toEqual({
      errors: {
        s: 'must be at most 5 characters',
        i: 'must be at most 10',
        n: 'must be a number',
        b: 'must be true or false',
        c: 'must be one of x, y',
        t: 'must be at least 2 characters',
        k: 'must be a string',
        z: 'is not a parameter of this task',
      },
    });
  });

  it.each([
    [{ i: '1e400' }, 'i', 'must be a whole number'],
    [{ i: 2 ** 53 }, 'i', 'must be a whole number'],
    [{ n: 'Infinity' }, 'n', 'must be a number'],
    [{ n: '  ' }, 'n', 'must be a number'],
    [{ s: 'v1\n' }, 's', 'must be a single line'],
    [{ t: 'ab\0' }, 't', 'must not contain NUL bytes'],
    [{ t: 'ab\uD800' }, 't', 'must be valid Unicode: it has a lone surrogate'],
    [{ c: ['x'] }, 'c', 'must be a string'],
  ])('refuses %j', (input, field, message) => {
    expect(checkParams(every, input)).toEqual({ errors: { [field]: message } });
  });

  it('reports a required parameter left out, and a body that is not an object', () => {
    const req = defs([
      { name: 'r', type: 'string', required: true },
      { name: 'k', type: 'secret', required: true },
    ]);
    expect(checkParams(req, {})).toEqual({ errors: { r: 'is required', k: 'is required' } });
    expect(checkParams(req, [])).toEqual({ errors: { params: 'must be a JSON object of parameter values' } });
    expect(checkParams(req, 'r=1')).toEqual({ errors: { params: 'must be a JSON object of parameter values' } });
  });

  it('reports a __proto__ key like any unknown parameter', () => {
    const result = checkParams(every, JSON.parse('{"__proto__": {"i": 5}}'));
    expect(result).toHaveProperty('errors');
    expect(Object.entries((result as { errors: Record<string, string> }).errors)).toEqual([
      ['__proto__', 'is not a parameter of this task'],
    ]);
  });
});

describe('paramsForProcess', () => {
  it('gives values as --name=value entries and TASKRUN_PARAM_ variables, secrets only in the environment', () => {
    const d = defs([
      { name: 'region', type: 'string' },
      { name: 'dryRun', type: 'boolean' },
      { name: 'count', type: 'integer' },
      { name: 'pw', type: 'secret' },
    ]);
    expect(paramsForProcess(d, { region: '$(rm -rf /)', dryRun: false, count: 7 }, { pw: 'hunter2' })).toEqual({
      args: ['--region=$(rm -rf /)', '--dryRun=false', '--count=7'],
      env: { TASKRUN_PARAM_REGION: '$(rm -rf /)', TASKRUN_PARAM_DRYRUN: 'false', TASKRUN_PARAM_COUNT: '7', TASKRUN_PARAM_PW: 'hunter2' },
    });
    expect(paramEnvName('a_b')).toBe('TASKRUN_PARAM_A_B');
  });

  it('leaves out parameters that have no value', () => {
    expect(paramsForProcess(defs([{ name: 'a', type: 'string' }]), {}, {})).toEqual({ args: [], env: {} });
  });
});

describe('patterns (RE2, linear time)', () => {
  const issues = (pattern: string) => {
    const r = paramDefs.safeParse([{ name: 'tag', type: 'string', pattern }]);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts nested repetitions, which RE2 matches in linear time', () => {
    for (const p of ['(a+)+$', '(\\w*)*', '(\\w|\\d)+', '\\S+@\\S+\\.\\S+', '(?<year>\\d{4})-\\d{2}']) expect(issues(p), p).toEqual([]);
  });

  it('refuses what RE2 cannot match in linear time, naming the parameter', () => {
    expect(issues('(?=a)a')).toEqual([
      expect.stringMatching(
        /^0\.pattern: the pattern of tag must be a valid regular expression in RE2 syntax \(no lookarounds or backreferences\): invalid or unsupported Perl syntax/,
      ),
    ]);
    expect(issues('(?<=a)b')).toEqual([expect.stringMatching(/^0\.pattern: the pattern of tag must be a valid regular expression/)]);
    expect(issues('(a)\\1')).toEqual([expect.stringMatching(/^0\.pattern: the pattern of tag must be a valid regular expression.*\\1/)]);
  });

  it(`refuses a pattern over ${MAX_PROGRAM} RE2 instructions, before expanding a huge one`, () => {
    for (const p of ['.{1,1000}.{1,1000}', '.{1,1000}'.repeat(50), '(?:abcdefghij){1,1000}']) {
      expect(issues(p), p).toEqual([
        '0.pattern: the pattern of tag is too large to match quickly: use fewer or smaller counted repetitions such as {1,1000}',
      ]);
    }
    expect(issues('.{1,900}')).toEqual([]);
  });

  it('matches (\\w|\\d)+ and \\S+@\\S+\\.\\S+ against long adversarial values', () => {
    const d = defs([
      { name: 'w', type: 'string', pattern: '(\\w|\\d)+' },
      { name: 'e', type: 'text', pattern: '\\S+@\\S+\\.\\S+' },
    ]);
    const long = 'a'.repeat(65535);
    expect(checkParams(d, { w: `${'a'.repeat(26)}!`, e: `${long}!` })).toEqual({
      errors: { w: 'must match (\\w|\\d)+', e: 'must match \\S+@\\S+\\.\\S+' },
    });
    expect(checkParams(d, { w: long, e: `${'a'.repeat(30000)}@${'b'.repeat(30000)}.c` })).toMatchObject({ values: { w: long } });
  });

  it('bounds the matching work of one request: past it a value is refused as too long to check', () => {
    // 1800 instructions × 4000 characters = 7.2 M steps, under the 8.4 M of one request; two of them are not.
    const d = defs([
      { name: 'a', type: 'string', pattern: '.{1,900}' },
      { name: 'b', type: 'string', pattern: '.{1,900}' },
    ]);
    const value = 'x'.repeat(4000);
    expect(checkParams(d, { a: value })).toEqual({ errors: { a: 'must match .{1,900}' } });
    expect(checkParams(d, { a: value, b: value })).toEqual({
      errors: { a: 'must match .{1,900}', b: 'is too long to check against its pattern' },
    });
  });

  it('refuses values of a pattern saved before patterns were RE2, and says why', () => {
    const stored: ParamDef[] = [{ name: 'x', type: 'string', pattern: '(?!admin)\\w+' }];
    expect(checkParams(stored, { x: 'bob' })).toEqual({
      errors: {
        x: expect.stringMatching(
          /^cannot be checked: the parameter's pattern must be a valid regular expression in RE2 syntax .*; an editor must change it$/,
        ),
      },
    });
  });
});
