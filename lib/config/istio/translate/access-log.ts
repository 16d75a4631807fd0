/** meshConfig `accessLogFile`: istiod puts the same access log on every HTTP connection manager it writes. */
import type { AccessLogConfig, FilterChainConfig, ListenerConfig } from '../../model.js';

/** `listener` with `log` appended to the access logs of each filter chain (HCM or tcp_proxy). */
export function withAccessLog(listener: ListenerConfig, log: AccessLogConfig): ListenerConfig {
  return {
    ...listener,
    filterChains: listener.filterChains.map(
      (c): FilterChainConfig =>
        c.hcm !== undefined
          ? { ...c, hcm: { ...c.hcm, accessLog: [...c.hcm.accessLog, log] } }
          : { ...c, tcpProxy: { ...c.tcpProxy, accessLog: [...c.tcpProxy.accessLog, log] } },
    ),
  };
}
