import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from './connection-errors';

describe('isConnectionError', () => {
  it('knows lost and refused connections, also wrapped, and nothing else', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(isConnectionError(coded('CONNECTION_CLOSED'))).toBe(true);
    expect(isConnectionError(coded('ECONNREFUSED'))).toBe(true);
    expect(isConnectionError(coded('57P01'))).toBe(true); // terminating connection due to administrator command
    expect(isConnectionError(coded('08006'))).toBe(true);
    expect(isConnectionError(new Error('Failed query', { cause: coded('ECONNRESET') }))).toBe(true);
    expect(isConnectionError(coded('23505'))).toBe(false); // a unique violation is a bug or a race, not an outage
    expect(isConnectionError(new TypeError('x is undefined'))).toBe(false);
    expect(isConnectionError('CONNECTION_CLOSED')).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});

describe('survivingLostConnections, in a real process', () => {
  // A process that installs the guard, then leaves a rejection of `code` unhandled and says if it lived on.
  const run = (code: string) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      import { survivingLostConnections } from ${JSON.stringify(path.resolve('src/db/connection-errors.ts'))};
      import { createLogger } from ${JSON.stringify(path.resolve('src/log.ts'))};
      survivingLostConnections(createLogger('t', 'info'));
      Promise.reject(Object.assign(new Error('from the driver'), { code: ${JSON.stringify(code)} }));
      setTimeout(() => console.log('still here'), 200);
    `,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );

  it('goes on after a stray connection error, logging it', () => {
    const p = run('CONNECTION_CLOSED');
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('database connection lost');
    expect(p.stdout).toContain('still here');
  });

  it('ends the process on any other unhandled rejection', () => {
    const p = run('ERR_SOMETHING_ELSE');
    expect(p.status).toBe(1);
    expect(p.stdout).toContain('unhandled promise rejection');
    expect(p.stdout).not.toContain('still here');
  });
});
