/** `promtool check metrics` for tests (skipped when promtool is missing). */
import { execFile, spawnSync } from 'node:child_process';
import type { Test } from 'tap';

export const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

// promtool's lint findings that follow from keeping Envoy's own names (docs/stats.md).
export const ALLOWED_LINT = [
  /^\S+ counter metrics should have "_total" suffix$/,
  /^envoy_cluster_membership_total non-counter metrics should not have "_total" suffix$/,
  /^envoy_cluster_upstream_cx_(connect|length)_ms metric names should not contain abbreviated units$/,
  /^istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds"$/,
];

/** promtool's findings on `text`: exit code and every output line. */
function promtool(text: string): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      if (code === -1) return reject(err);
      const lines = `${stdout}${stderr}`.split('\n').filter((l) => l.trim() !== '');
      resolve({ code, lines });
    });
    child.stdin!.end(text);
  });
}

/** Asserts promtool finds no parse error and only the documented lint notes in `text`. */
export async function checkWithPromtool(t: Test, text: string): Promise<void> {
  if (!hasPromtool) {
    t.comment('promtool not installed: check skipped');
    return;
  }
  const r = await promtool(text);
  t.ok(
    r.code === 0 || r.code === 3,
    `promtool exit ${r.code} (0 ok, 3 lint only): ${r.lines.slice(0, 3).join(' | ')}`,
  );
  const unexpected = r.lines.filter((l) => !ALLOWED_LINT.some((re) => re.test(l)));
  t.same(unexpected, [], 'only the documented lint warnings');
}
