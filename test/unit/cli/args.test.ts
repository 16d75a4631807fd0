import t, { type Test } from 'tap';
import { parseCommonArgs } from '../../../lib/cli/args.js';
import { SkiffError } from '../../../lib/errors.js';

function usageError(t: Test, argv: string[], match: RegExp, what: string): void {
  try {
    parseCommonArgs(argv);
    t.fail(`${what}: expected a usage error`);
  } catch (err) {
    t.type(err, SkiffError, what);
    t.equal((err as SkiffError).code, 'SKIFF_ERR_USAGE', what);
    t.match((err as SkiffError).message, match, what);
  }
}

/** The usage-error message for argv, or null when it parsed (for assertions marked todo). */
function usageMessage(argv: string[]): string | null {
  try {
    parseCommonArgs(argv);
    return null;
  } catch (err) {
    return err instanceof SkiffError && err.code === 'SKIFF_ERR_USAGE' ? err.message : `other error: ${err}`;
  }
}

t.test('defaults', async (t) => {
  t.same(parseCommonArgs([]), {
    configs: [],
    adminPort: undefined,
    logLevel: 'info',
    help: false,
    values: {},
  });
});

t.test('-c and --config repeat and keep their order', async (t) => {
  const a = parseCommonArgs(['-c', 'a.yaml', '--config', 'b.json', '-c', 'c.yaml', '--config=d.yaml']);
  t.same(a.configs, ['a.yaml', 'b.json', 'c.yaml', 'd.yaml']);
});

t.test('--help and -h', async (t) => {
  t.equal(parseCommonArgs(['--help']).help, true);
  t.equal(parseCommonArgs(['-h']).help, true);
});

t.test('--admin-port accepts 0..65535', async (t) => {
  t.equal(parseCommonArgs(['--admin-port', '0']).adminPort, 0);
  t.equal(parseCommonArgs(['--admin-port', '15000']).adminPort, 15000);
  t.equal(parseCommonArgs(['--admin-port=65535']).adminPort, 65535);
});

t.test('--admin-port rejects non-ports', async (t) => {
  for (const bad of ['65536', '-1', '80.5', 'abc', 'NaN', 'Infinity', '99999999']) {
    usageError(t, [`--admin-port=${bad}`], /--admin-port: ".*" is not a port number/, bad);
  }
  usageError(t, ['--admin-port'], /admin-port/, 'missing value');
});

// Known bug (lib/cli/args.ts:40): Number('') and Number(' ') are 0, so an empty value means "any port".
t.test('--admin-port rejects an empty value', async (t) => {
  t.match(usageMessage(['--admin-port=']), /--admin-port/, 'empty string');
  t.match(usageMessage(['--admin-port', ' ']), /--admin-port/, 'blank string');
});

// Number() also accepts hex, exponents, signs and padding; a port flag should take digits only.
t.test('--admin-port accepts only decimal digits', async (t) => {
  for (const odd of ['0x50', '1e3', ' 80 ', '+80']) {
    t.match(usageMessage([`--admin-port=${odd}`]), /--admin-port/, odd);
  }
});

t.test('--log-level accepts the known levels', async (t) => {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'off']) {
    t.equal(parseCommonArgs(['--log-level', level]).logLevel, level);
  }
});

t.test('--log-level rejects anything else', async (t) => {
  for (const bad of ['verbose', 'INFO', '', 'warning']) {
    usageError(t, ['--log-level', bad], /--log-level: unknown level/, JSON.stringify(bad));
  }
});

// Known bug (lib/util/logger.ts:16): isLogLevel uses `in`, which sees Object.prototype.
t.test('--log-level rejects Object.prototype names', async (t) => {
  for (const bad of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    t.match(usageMessage(['--log-level', bad]), /--log-level: unknown level/, bad);
  }
});

t.test('unknown flags and positionals are usage errors', async (t) => {
  usageError(t, ['--bogus'], /bogus/, 'unknown long flag');
  usageError(t, ['-x'], /-x/, 'unknown short flag');
  usageError(t, ['file.yaml'], /file\.yaml/, 'positional');
  usageError(t, ['-c'], /config/, '-c without a value');
});

t.test('extra string options are returned in values', async (t) => {
  const a = parseCommonArgs(['--port', '8080', '-c', 'x'], { port: { type: 'string' } });
  t.same(a.values, { port: '8080' });
  t.same(a.configs, ['x']);
  t.same(parseCommonArgs([], { port: { type: 'string' } }).values, { port: undefined });
  usageError(t, ['--port', '1'], /port/, 'not accepted without the extra');
});
