import { describe, expect, it } from 'vitest';
import { baseTaskEnv } from './context';

describe('baseTaskEnv', () => {
  it('passes a task the path, language, time zone and proxy of the runner, nothing else of its environment', () => {
    const env = baseTaskEnv({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TZ: 'Europe/Paris',
      TERM: 'xterm',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      PGPASSWORD: 'operator-pg-secret',
      AWS_SECRET_ACCESS_KEY: 'k',
      DATA_DIR: '/srv/data',
      DATABASE_URL: 'postgres://x',
      HOME: '/root',
      NODE_OPTIONS: '--inspect',
    });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TZ: 'Europe/Paris',
      TERM: 'xterm',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
    });
  });
});
