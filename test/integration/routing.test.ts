import t from 'tap';
import { get, simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

// Every route matcher and action, end to end through a running proxy.
t.test('route matchers and actions', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const routes = `
              - name: exact-path
                match: { path: /exact }
                route: { cluster: a }
              - name: regex
                match: { safe_regex: { regex: "/items/[0-9]+" } }
                route: { cluster: b }
              - name: sep
                match: { path_separated_prefix: /api/dev }
                route: { cluster: b }
              - name: ci
                match: { prefix: /CaSe, case_sensitive: false }
                route: { cluster: b }
              - name: hdr-exact
                match: { prefix: /h, headers: [ { name: x-env, string_match: { exact: prod } } ] }
                route: { cluster: a }
              - name: hdr-regex-ic
                match: { prefix: /h, headers: [ { name: x-env, string_match: { prefix: STAG, ignore_case: true } } ] }
                route: { cluster: b }
              - name: hdr-absent
                match: { prefix: /h, headers: [ { name: x-debug, present_match: false } ] }
                route: { cluster: a, prefix_rewrite: /no-debug }
              - name: query
                match: { prefix: /q, query_parameters: [ { name: v, string_match: { exact: "2" } } ] }
                route: { cluster: b }
              - name: rewrite
                match: { prefix: /old/ }
                route: { cluster: a, prefix_rewrite: /new/ }
              - name: regex-rewrite
                match: { prefix: /users/ }
                route:
                  cluster: a
                  regex_rewrite: { pattern: { regex: "^/users/([0-9]+)/profile$" }, substitution: "/profiles/\\\\1" }
              - name: host-rewrite
                match: { prefix: /xhost }
                route: { cluster: a, host_rewrite_literal: rewritten.example }
              - name: redirect
                match: { prefix: /redirect }
                redirect: { host_redirect: example.com, path_redirect: /there, response_code: FOUND }
              - name: https-redirect
                match: { prefix: /secure }
                redirect: { https_redirect: true }
              - name: direct
                match: { prefix: /direct }
                direct_response: { status: 418, body: { inline_string: "i am a teapot" } }
              - name: mutate
                match: { prefix: /mutate }
                route: { cluster: a }
                request_headers_to_add: [ { header: { key: x-added, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%" } } ]
                request_headers_to_remove: [ x-secret ]
                response_headers_to_add: [ { header: { key: x-route, value: mutate } } ]
                response_headers_to_remove: [ x-upstream ]
              - name: fallback
                match: { prefix: / }
                route: { cluster: a }`;
  const proxy = await startProxy(
    simpleBootstrap({ routes, clusters: staticCluster('a', a.port) + staticCluster('b', b.port) }),
  );
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
  });
  const u = proxy.base;

  t.equal((await get(`${u}/exact`)).headers['x-upstream'], 'a', 'path match');
  t.equal((await get(`${u}/exact/more`)).body, 'a GET /exact/more', 'path is exact, falls through');
  t.equal((await get(`${u}/items/42`)).headers['x-upstream'], 'b', 'regex full match');
  t.equal((await get(`${u}/items/42x`)).headers['x-upstream'], 'a', 'regex partial does not match');
  t.equal((await get(`${u}/api/dev/v1`)).headers['x-upstream'], 'b', 'path_separated_prefix');
  t.equal((await get(`${u}/api/developer`)).headers['x-upstream'], 'a', 'path_separated_prefix boundary');
  t.equal((await get(`${u}/case/x`)).headers['x-upstream'], 'b', 'case_sensitive false');
  t.equal(
    (await get(`${u}/h`, { headers: { 'x-env': 'prod', 'x-debug': '1' } })).headers['x-upstream'],
    'a',
    'header exact',
  );
  t.equal(
    (await get(`${u}/h`, { headers: { 'x-env': 'staging', 'x-debug': '1' } })).headers['x-upstream'],
    'b',
    'header prefix ignore_case',
  );
  t.equal((await get(`${u}/h`)).body, 'a GET /no-debug', 'present_match false');
  t.equal((await get(`${u}/q?v=2`)).headers['x-upstream'], 'b', 'query param');
  t.equal((await get(`${u}/q?v=3`)).headers['x-upstream'], 'a', 'query param mismatch');

  const rw = await get(`${u}/old/thing?x=1`);
  t.equal(rw.body, 'a GET /new/thing?x=1', 'prefix_rewrite keeps the query');
  t.equal(a.requests.at(-1)!.headers['x-envoy-original-path'], '/old/thing?x=1', 'x-envoy-original-path');
  t.equal((await get(`${u}/users/7/profile`)).body, 'a GET /profiles/7', 'regex_rewrite with group');
  await get(`${u}/xhost`);
  t.equal(a.requests.at(-1)!.headers.host, 'rewritten.example', 'host_rewrite_literal');

  const red = await get(`${u}/redirect`);
  t.equal(red.status, 302);
  t.equal(red.headers.location, 'http://example.com/there');
  const sec = await get(`${u}/secure/x?y=1`);
  t.equal(sec.status, 301);
  t.match(sec.headers.location, /^https:\/\/127\.0\.0\.1(:\d+)?\/secure\/x\?y=1$/);
  const direct = await get(`${u}/direct`);
  t.equal(direct.status, 418);
  t.equal(direct.body, 'i am a teapot');
  t.equal(direct.headers['content-type'], 'text/plain');

  const mut = await get(`${u}/mutate`, { headers: { 'x-secret': 's' } });
  const seen = a.requests.at(-1)!;
  t.equal(seen.headers['x-added'], '127.0.0.1', 'request header added with substitution');
  t.notOk('x-secret' in seen.headers, 'request header removed');
  t.equal(mut.headers['x-route'], 'mutate', 'response header added');
  t.notOk('x-upstream' in mut.headers, 'response header removed');
});

t.test('virtual hosts by domain: exact, suffix, prefix, *, port-aware', async (t) => {
  const up = await startUpstream('u');
  const yaml = `
static_resources:
  listeners:
  - name: vh
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: vh
          route_config:
            virtual_hosts:
            - { name: exact, domains: [api.example.com], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: exact } } } ] }
            - { name: suffix, domains: ["*.example.com"], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: suffix } } } ] }
            - { name: prefix, domains: ["api.*"], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: prefix } } } ] }
            - { name: port, domains: ["svc.local:8080"], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: port } } } ] }
            - { name: any, domains: ["*"], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: any } } } ] }
  clusters: []
`;
  const proxy = await startProxy(yaml);
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const at = async (host: string): Promise<string> =>
    (await get(`${proxy.base}/`, { headers: { host } })).body;
  t.equal(await at('api.example.com'), 'exact');
  t.equal(await at('API.Example.com'), 'exact', 'case-insensitive');
  t.equal(await at('www.example.com'), 'suffix');
  t.equal(await at('api.other.org'), 'prefix');
  t.equal(
    await at('api.example.com:9999'),
    'prefix',
    'the port takes part in matching (ignore_port_in_host_matching false)',
  );
  t.equal(await at('svc.local:8080'), 'port');
  t.equal(await at('other.host'), 'any');
});
