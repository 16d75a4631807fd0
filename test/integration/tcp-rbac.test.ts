/** Network RBAC before a tcp_proxy, end to end through a running Skiff (Envoy bootstrap). */
import type { Socket } from 'node:net';
import t from 'tap';
import { Skiff } from '../../lib/server/skiff.js';
import { createLogger } from '../../lib/util/logger.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { staticCluster } from '../helpers/proxy.js';
import { decode, echo, startTcpServer, TcpClient } from '../helpers/tcp.js';
import { eventually } from '../helpers/wait.js';

const TCP = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const NRBAC = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';

function listener(name: string, cidr: string, log: string): string {
  return `  - name: ${name}
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.rbac
        typed_config:
          "@type": ${NRBAC}
          stat_prefix: ${name}.
          rules: {action: ALLOW, policies: {from-net: {permissions: [{any: true}], principals: [{remote_ip: {address_prefix: ${cidr}, prefix_len: 8}}]}}}
          shadow_rules: {action: DENY, policies: {all: {permissions: [{any: true}], principals: [{any: true}]}}}
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": ${TCP}
          stat_prefix: ${name}
          cluster: backend
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}
              log_format: {text_format_source: {inline_string: "${name} %CONNECTION_TERMINATION_DETAILS% %UPSTREAM_HOST%\\n"}}
`;
}

t.test('network RBAC by source range: allowed echoes, denied is closed before any dial', async (t) => {
  let accepted = 0;
  const up = await startTcpServer((s: Socket) => {
    accepted++;
    echo()(s);
  });
  t.teardown(() => up.close());
  const log = tempLogPath('tcp-rbac');
  const b = decode(`static_resources:
  listeners:
${listener('open', '127.0.0.0', log)}${listener('closed', '10.0.0.0', log)}  clusters:
${staticCluster('backend', up.port)}
`);
  const skiff = await Skiff.start(b, { logger: createLogger('off'), adminPort: 0 });
  t.teardown(() => skiff.stop());

  const ok = new TcpClient(skiff.listenerPort('open'));
  ok.socket.write('hello');
  await ok.waitFor(/^hello$/);
  t.equal(accepted, 1);
  ok.socket.end();
  await ok.waitClosed();

  const denied = new TcpClient(skiff.listenerPort('closed'));
  denied.socket.write('let me in');
  await denied.waitClosed();
  t.equal(denied.received, '', 'nothing came back');

  let lines: string[] = [];
  await eventually(async () => {
    lines = await readLogLines(log).catch(() => []);
    return lines.length === 2;
  }, 'two access-log lines');
  t.ok(lines.includes(`open - 127.0.0.1:${up.port}`), lines.join('\n'));
  t.ok(lines.includes('closed rbac_access_denied_matched_policy[none] -'), lines.join('\n'));
  t.equal(accepted, 1, 'the upstream never saw the denied connection');

  const m = await skiff.stats.metrics();
  t.match(m, /envoy_rbac_allowed\{envoy_rbac_prefix="open\."\} 1/);
  t.match(m, /envoy_rbac_denied\{envoy_rbac_prefix="closed\."\} 1/);
  t.match(m, /envoy_rbac_denied\{envoy_rbac_prefix="open\."\} 0/);
  t.match(m, /envoy_rbac_shadow_denied\{envoy_rbac_prefix="open\."\} 1/);
  t.match(m, /envoy_rbac_shadow_denied\{envoy_rbac_prefix="closed\."\} 1/);
});
