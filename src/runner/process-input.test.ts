import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal } from '../auth/secret-box';
import { processInput } from './process-input';

const key = crypto.randomBytes(32);
const other = crypto.randomBytes(32);
const run = { id: 5, taskId: 'job', params: { region: 'eu' }, secretParams: seal(key, JSON.stringify({ pass: 'p4ss-word' })) };
const settings = {
  params: [
    { name: 'region', type: 'string' as const },
    { name: 'pass', type: 'secret' as const },
  ],
  env: { A: 'task', B: 'task', TASKRUN_RUN_ID: 'task' },
};

describe('processInput', () => {
  it("layers the environment: runner, task variables, secrets, parameters, then taskrun's own", () => {
    const input = processInput(key, { A: 'runner', PATH: '/bin' }, run, settings, [{ name: 'B', sealed: seal(key, 'secret-b') }]);
    expect(input.args).toEqual(['--region=eu']);
    expect(input.env).toEqual({
      PATH: '/bin',
      A: 'task',
      B: 'secret-b',
      TASKRUN_PARAM_REGION: 'eu',
      TASKRUN_PARAM_PASS: 'p4ss-word',
      TASKRUN_RUN_ID: '5',
      TASKRUN_TASK_ID: 'job',
      PYTHONUNBUFFERED: '1',
    });
    expect(input.secretValues.sort()).toEqual(['p4ss-word', 'secret-b']);
  });

  it('names the secret and SECRET_KEY when a value was sealed with another key', () => {
    expect(() => processInput(key, {}, run, settings, [{ name: 'TOKEN', sealed: seal(other, 'x') }])).toThrow(/TOKEN.*SECRET_KEY/);
    expect(() => processInput(key, {}, { ...run, secretParams: seal(other, '{}') }, settings, [])).toThrow(/secret parameters.*SECRET_KEY/);
  });
});
