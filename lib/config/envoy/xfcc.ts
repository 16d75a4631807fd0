/** The HCM's `x-forwarded-client-cert` fields. */
import type { ClientCertDetailsConfig, ForwardClientCertDetails } from '../model.js';
import type { FieldReader } from '../reader.js';

const MODES: readonly ForwardClientCertDetails[] = [
  'SANITIZE',
  'FORWARD_ONLY',
  'APPEND_FORWARD',
  'SANITIZE_SET',
  'ALWAYS_FORWARD_ONLY',
];

/** The XFCC part of an HCM config; fields absent when not written (so defaults stay implicit). */
export interface XfccFields {
  forwardClientCertDetails?: ForwardClientCertDetails;
  setCurrentClientCertDetails?: ClientCertDetailsConfig;
}

/** Reads `forward_client_cert_details` and `set_current_client_cert_details`. */
export function readXfccConfig(r: FieldReader): XfccFields {
  const out: XfccFields = {};
  const mode = r.enumValue('forward_client_cert_details', MODES);
  if (mode !== undefined) out.forwardClientCertDetails = mode;
  const d = r.object('set_current_client_cert_details');
  if (d !== undefined) {
    out.setCurrentClientCertDetails = {
      subject: d.bool('subject') ?? false,
      cert: d.bool('cert') ?? false,
      chain: d.bool('chain') ?? false,
      dns: d.bool('dns') ?? false,
      uri: d.bool('uri') ?? false,
    };
    d.finish();
    // Only these two modes write the current details; elsewhere they are dead config.
    if (mode !== 'APPEND_FORWARD' && mode !== 'SANITIZE_SET') {
      r.warn(
        'set_current_client_cert_details',
        'only takes effect with forward_client_cert_details APPEND_FORWARD or SANITIZE_SET',
      );
    }
  }
  return out;
}
