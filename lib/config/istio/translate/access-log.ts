/** meshConfig `accessLogFile`: istiod puts the same access log on every HTTP connection manager it writes. */
import type { AccessLogConfig, ListenerConfig } from '../../model.js';

/** `listener` with `log` appended to the access logs of each filter chain's HCM. */
export function withAccessLog(listener: ListenerConfig, log: AccessLogConfig): ListenerConfig {
  return {
    ...listener,
    filterChains: listener.filterChains.map((c) => ({
      ...c,
      hcm: { ...c.hcm, accessLog: [...c.hcm.accessLog, log] },
    })),
  };
}
