// The process boundary as a build failure: web and runner meet only in PostgreSQL and files, so
// neither side imports the other (docs/architecture.md). `npx depcruise src` checks it; .ci/run runs it.
// src/services is domain logic both sides use (the runner's scheduler queues runs through it).
const WEB = '^src/(web|routes|views)/';
const RUNNER = '^src/runner/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'web-imports-runner',
      comment: 'The web tier (routes, views, web) never imports the runner: they share only the database and files.',
      severity: 'error',
      from: { path: WEB },
      to: { path: RUNNER },
    },
    {
      name: 'runner-imports-web',
      comment: 'The runner never imports routes, views or the web server.',
      severity: 'error',
      from: { path: RUNNER },
      to: { path: WEB },
    },
    {
      name: 'shared-imports-a-side',
      comment: 'Code both sides use (everything outside web and runner, but main.ts and the CLI) imports neither side.',
      severity: 'error',
      from: { path: '^src/', pathNot: [WEB, RUNNER, '^src/main\\.ts$', '^src/cli/', '\\.test\\.tsx?$'] },
      to: { path: [WEB, RUNNER] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make start-up order and reading order fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
