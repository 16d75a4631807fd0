import type { ListenerInfo } from './types.js';

/** Envoy's `/listeners` text form: `name::address:port` per line. */
export function listenersText(listeners: readonly ListenerInfo[]): string {
  let out = '';
  for (const l of listeners) {
    const host = l.address.includes(':') ? `[${l.address}]` : l.address;
    out += `${l.name}::${host}:${l.port}\n`;
  }
  return out;
}

/** Envoy's `/listeners?format=json` shape (admin.v3.Listeners). */
export function listenersJson(listeners: readonly ListenerInfo[]): unknown {
  return {
    listener_statuses: listeners.map((l) => ({
      name: l.name,
      local_address: { socket_address: { address: l.address, port_value: l.port } },
    })),
  };
}
