import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { closeDb, connectDb } from '../db/client';
import { resolveDatabaseUrl } from '../db/database-url';
import { ensureMigrated } from '../db/migrate';
import { AppError } from '../services/app-error';
import { createToken, revokeTokenByName, tokenName, tokensList } from '../services/tokens-service';
import { addUser, password, removeUser, role, userName, usersList } from '../services/users-service';
import { parseInput } from '../services/validate';
import type { Who } from '../services/deps';
import { readPassword } from './read-password';

const HELP = `taskrun operator commands (against DATABASE_URL, or the embedded server \`npm start\` runs in DATA_DIR)

  npm run taskrun -- user add NAME --role ROLE [--password PASSWORD]
        add a user; without --password it is asked for (or read from standard input)
  npm run taskrun -- user list
  npm run taskrun -- user remove NAME          also ends the user's sessions
  npm run taskrun -- token create --name NAME --role ROLE
        create an API token for scripts and CI; it is printed once and never again
  npm run taskrun -- token list
  npm run taskrun -- token revoke NAME

Roles: viewer (read), operator (run and cancel), editor (create, edit, delete tasks), admin (everything).
Use a token with: curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:5000/api/tasks`;

// The audit log names the system user who ran a command. The CLI acts as an admin: whoever holds the
// database's address and password can change anything anyway.
const CLI: Who = { principal: { kind: 'user', name: `cli@${process.env.USER ?? 'operator'}`, role: 'admin' }, ip: null };

// One operator command. Exit code: 0 done, 2 a bad command or a refusal (AppError), 1 anything else.
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [noun, verb, arg] = positionals;
  if (values.help || !noun) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const cfg = loadConfig();
  const url = resolveDatabaseUrl(cfg);
  const db = connectDb(url, 'taskrun-cli', 2);
  await ensureMigrated(db, url, cfg.databaseOwnerUrl);
  const deps = { db };
  try {
    switch (`${noun} ${verb ?? ''}`.trim()) {
      case 'user add': {
        const name = parseInput(userName, arg);
        const r = parseInput(role, values.role);
        const pw = parseInput(password, values.password ?? (await readPassword(`password for ${name}: `)));
        await addUser(deps, CLI, name, pw, r);
        console.log(`user ${name} added as ${r}`);
        return 0;
      }
      case 'user list':
        for (const u of await usersList(deps)) console.log(`${u.name}\t${u.role}\t${u.created_at}`);
        return 0;
      case 'user remove':
        await removeUser(deps, CLI, parseInput(userName, arg));
        console.log(`user ${arg} removed; their sessions are ended`);
        return 0;
      case 'token create': {
        const token = await createToken(deps, CLI, parseInput(tokenName, values.name), parseInput(role, values.role));
        console.log(token);
        console.error('(shown once: store it now)');
        return 0;
      }
      case 'token list':
        for (const t of await tokensList(deps)) {
          console.log(
            `${t.name}\t${t.role}\t${t.revoked_at ? `revoked ${t.revoked_at}` : 'active'}\tlast used ${t.last_used_at ?? 'never'}`,
          );
        }
        return 0;
      case 'token revoke':
        await revokeTokenByName(deps, CLI, parseInput(tokenName, arg ?? values.name));
        console.log(`token ${arg ?? values.name} revoked`);
        return 0;
      default:
        console.error(`unknown command: ${positionals.join(' ')}\n\n${HELP}`);
        return 2;
    }
  } finally {
    await closeDb(db);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(err instanceof AppError ? 2 : 1);
  },
);
