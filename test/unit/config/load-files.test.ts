import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigFiles, loadConfigText } from '../../../lib/config/load.js';
import { minimal } from './fixtures.js';

const ADMIN = 'admin: {address: {socket_address: {address: 127.0.0.1, port_value: 9901}}}\n';

t.test('multi-document YAML merges listeners and clusters', async (t) => {
  const text = `${minimal({ port: 1, cluster: 'a', name: 'l1' })}---\n${minimal({ port: 2, cluster: 'b', name: 'l2' })}---\n${ADMIN}`;
  const r = loadConfigText(text, 'multi.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  t.same(
    r.bootstrap.listeners.map((l) => l.name),
    ['l1', 'l2'],
  );
  t.same(
    r.bootstrap.clusters.map((c) => c.name),
    ['a', 'b'],
  );
  t.equal(r.bootstrap.admin?.address.port, 9901);
});

t.test('issues in multi-document files name the document', async (t) => {
  const r = loadConfigText(`${ADMIN}---\n${ADMIN}`, 'm.yaml');
  t.same(r.ok ? [] : r.issues.map(formatIssue), [
    'm.yaml#2: admin: admin is already defined at m.yaml#1: admin; it may appear only once',
  ]);
});

t.test('JSON is accepted', async (t) => {
  const json = JSON.stringify({
    node: { id: 'n', cluster: 'c' },
    static_resources: {
      clusters: [
        {
          name: 'j',
          type: 'STRICT_DNS',
          load_assignment: {
            endpoints: [
              {
                lb_endpoints: [
                  { endpoint: { address: { socket_address: { address: 'svc', port_value: 80 } } } },
                ],
              },
            ],
          },
        },
      ],
    },
  });
  const r = loadConfigText(json, 'b.json');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  t.same(r.bootstrap.node, { id: 'n', cluster: 'c' });
  t.equal(r.bootstrap.clusters[0]!.endpoints[0]!.address.address, 'svc');
});

t.test('several files merge; node and admin may appear once; all issues come back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.json');
  const c = join(dir, 'c.yaml');
  await writeFile(a, `node: {id: x}\n${ADMIN}${minimal({ port: 1, cluster: 'a' })}`);
  await writeFile(b, JSON.stringify({ static_resources: { clusters: [{ name: 'b' }] } }));
  const ok = await loadConfigFiles([a, b]);
  if (!ok.ok) throw new Error(ok.issues.map(formatIssue).join('\n'));
  t.same(ok.bootstrap.sources, [a, b]);
  t.same(
    ok.bootstrap.clusters.map((x) => x.name),
    ['a', 'b'],
  );
  t.equal(ok.bootstrap.node.id, 'x');

  await writeFile(c, `node: {id: y}\n${ADMIN}static_resources:\n  clusters: [{name: a}]\n`);
  const missing = join(dir, 'missing.yaml');
  const bad = await loadConfigFiles([a, c, missing]);
  t.same(bad.ok ? [] : bad.issues.map(formatIssue), [
    `${missing}: cannot read file: no such file or directory (ENOENT)`,
    `${c}: node: node is already defined at ${a}: node; it may appear only once`,
    `${c}: admin: admin is already defined at ${a}: admin; it may appear only once`,
    `${c}: static_resources.clusters[0]: duplicate cluster name "a" (also defined at ${a}: static_resources.clusters[0])`,
  ]);
});

t.test('an empty file loads with a warning', async (t) => {
  const r = loadConfigText('# nothing\n', 'empty.yaml');
  t.ok(r.ok);
  if (r.ok) t.same(r.warnings.map(formatIssue), ['empty.yaml: no configuration documents found']);
});
