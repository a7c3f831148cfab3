// Command-line flags of the demo, each with an environment variable for `npm run demo` users.
import { resolve } from 'node:path';

export const USAGE = `npm run demo [-- flags]     (or: node examples/run-demo.mjs [flags])

  --orders <n>        orders checkout publishes (1-1000)               ORDER_COUNT        default 10
  --timeout <s>       how long the orders may take to go through       ORDER_DEMO_TIMEOUT default 180
  --keep              keep everything running after the summary        ORDER_DEMO_KEEP=1
  --redis <host:port> use this Redis instead of a private redis-server ORDER_DEMO_REDIS
  --redis-db <n>      Redis database for the orders stream             ORDER_DEMO_REDIS_DB default 0
  --output <dir>      keep the run folder (state.db, receipts/) here   ORDER_DEMO_OUTPUT  default: a temporary folder, removed
  --no-build          never run \`npm run build\` (fail if the CLI is not built)
  --verbose           show every sidecar log line, not only warnings and errors
  --help`;

const FLAGS_WITH_VALUE = new Set(['--orders', '--timeout', '--redis', '--redis-db', '--output']);
const SWITCHES = new Set(['--keep', '--no-build', '--verbose', '--help']);

export function parseOptions(argv, env) {
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? splitOnce(argv[i]) : [argv[i], undefined];
    if (SWITCHES.has(flag)) {
      if (inline !== undefined) throw new Error(`${flag} takes no value`);
      given[flag] = true;
    } else if (FLAGS_WITH_VALUE.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new Error(`${flag}: missing value`);
      given[flag] = value;
    } else {
      throw new Error(`unknown flag "${argv[i]}" (see --help)`);
    }
  }
  const output = given['--output'] ?? env.ORDER_DEMO_OUTPUT;
  return {
    help: Boolean(given['--help']),
    orders: integer(given['--orders'] ?? env.ORDER_COUNT ?? '10', given['--orders'] ? '--orders' : 'ORDER_COUNT', 1, 1000),
    timeoutMs: 1000 * integer(given['--timeout'] ?? env.ORDER_DEMO_TIMEOUT ?? '180', given['--timeout'] ? '--timeout' : 'ORDER_DEMO_TIMEOUT', 5, 3600),
    keep: Boolean(given['--keep']) || env.ORDER_DEMO_KEEP === '1',
    redis: given['--redis'] ?? (env.ORDER_DEMO_REDIS || undefined),
    redisDb: integer(given['--redis-db'] ?? env.ORDER_DEMO_REDIS_DB ?? '0', given['--redis-db'] ? '--redis-db' : 'ORDER_DEMO_REDIS_DB', 0, 15),
    output: output ? resolve(output) : undefined,
    build: !given['--no-build'],
    verbose: Boolean(given['--verbose']),
  };
}

function splitOnce(arg) {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

function integer(text, name, min, max) {
  const value = Number(text);
  if (!/^\d+$/.test(String(text)) || value < min || value > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${text}"`);
  return value;
}
