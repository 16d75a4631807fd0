/** A hand-built model that sets every optional field the decoder supports to a non-default value. */
import type { Bootstrap, ListenerConfig } from '../../../../lib/config/model.js';
import { CLUSTERS } from './rich-clusters.js';
import { FAULT, HEADERS, NO_HEADERS, RETRY, ROUTES } from './rich-routes.js';

export { CLUSTERS };

const LISTENER: ListenerConfig = {
  name: 'inbound',
  address: { address: '::1', port: 0 },
  trafficDirection: 'OUTBOUND',
  perConnectionBufferLimitBytes: 4096,
  filterChains: [
    {
      name: 'http',
      hcm: {
        statPrefix: 'inbound_http',
        routeConfig: {
          name: 'routes',
          virtualHosts: [
            {
              name: 'all',
              domains: ['*.example.com', 'orders.*', 'a.b:8080'],
              routes: ROUTES,
              headers: HEADERS,
              retryPolicy: RETRY,
              includeRequestAttemptCount: true,
              includeAttemptCountInResponse: true,
              perRequestBufferLimitBytes: 1024,
              typedPerFilterConfig: { 'envoy.filters.http.fault': { kind: 'fault', fault: FAULT } },
            },
            {
              name: 'plain',
              domains: ['*'],
              routes: [],
              headers: NO_HEADERS,
              retryPolicy: null,
              includeRequestAttemptCount: false,
              includeAttemptCountInResponse: false,
              perRequestBufferLimitBytes: null,
            },
          ],
          headers: HEADERS,
          ignorePortInHostMatching: true,
          typedPerFilterConfig: { 'envoy.filters.http.fault': { kind: 'disabled' } },
        },
        httpFilters: [
          { kind: 'fault', name: 'envoy.filters.http.fault', fault: FAULT },
          { kind: 'router', name: 'my-router', suppressEnvoyHeaders: true, startChildSpan: true },
        ],
        accessLog: [
          {
            name: 'json-file',
            path: '/tmp/a.log',
            textFormat: null,
            jsonFormat: { code: '%RESPONSE_CODE%', nested: { f: '%RESPONSE_FLAGS%' } },
          },
          {
            name: 'text-stdout',
            path: '/dev/stdout',
            textFormat: '[%START_TIME%] "%REQ(:METHOD)%"\n',
            jsonFormat: null,
          },
          { name: 'default-stderr', path: '/dev/stderr', textFormat: null, jsonFormat: null },
        ],
        generateRequestId: false,
        preserveExternalRequestId: true,
        streamIdleTimeoutMs: 0,
        requestTimeoutMs: 30_000.5,
        requestHeadersTimeoutMs: 5000,
        serverName: 'skiff',
        serverHeaderTransformation: 'APPEND_IF_ABSENT',
        useRemoteAddress: true,
        xffNumTrustedHops: 1,
        skipXffAppend: true,
        via: 'skiff',
        maxRequestHeadersKb: 96,
        idleTimeoutMs: 0,
        maxHeadersCount: 50,
        maxRequestsPerConnection: 100,
        headersWithUnderscoresAction: 'DROP_HEADER',
        allowAbsoluteUrl: true,
        normalizePath: true,
        mergeSlashes: true,
        drainTimeoutMs: 0,
      },
    },
  ],
};

export function richBootstrap(): Bootstrap {
  return {
    sources: ['hand-built'],
    node: { id: 'sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local', cluster: 'orders' },
    admin: {
      address: { address: '127.0.0.1', port: 0 },
      accessLog: [{ name: 'admin-log', path: '/tmp/admin.log', textFormat: '%PROTOCOL%', jsonFormat: null }],
    },
    listeners: [
      LISTENER,
      { ...LISTENER, name: 'second', address: { address: '0.0.0.0', port: 0 }, trafficDirection: 'INBOUND' },
    ],
    clusters: CLUSTERS,
  };
}
