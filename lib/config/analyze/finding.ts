/**
 * What the pre-flight analyzers report, shaped like `istioctl analyze` messages: a stable code,
 * istioctl's severity for it, the resource and the Istio field path it is about, and a fix hint.
 */
import type { IstioResource } from '../istio/model.js';
import { resourceName, type SourcedResource } from '../istio/sourced.js';

/** istioctl's message levels. */
export type Severity = 'Error' | 'Warning' | 'Info';

/** One analyzer message. */
export interface Finding {
  /** `IST0101`, or Skiff's own `SKF0001`… (see docs/analyze.md). */
  readonly code: string;
  readonly severity: Severity;
  /** `VirtualService production/order-service-vs`. */
  readonly resource: string;
  /** The file (or `file#N` document) the resource came from. */
  readonly file: string;
  /** Istio field path, e.g. `spec.http[1].route[0].destination.subset`; "" = the whole resource. */
  readonly path: string;
  readonly message: string;
  /** What to change to make the finding go away. */
  readonly hint: string;
}

/** Every code an analyzer can emit, with istioctl's name and severity (docs/analyze.md lists them). */
export const CODES = {
  IST0101: { name: 'ReferencedResourceNotFound', severity: 'Error' },
  IST0106: { name: 'SchemaValidationError', severity: 'Error' },
  IST0109: { name: 'ConflictingMeshGatewayVirtualServiceHosts', severity: 'Error' },
  IST0112: { name: 'VirtualServiceDestinationPortSelectorRequired', severity: 'Error' },
  IST0130: { name: 'VirtualServiceUnreachableRule', severity: 'Warning' },
  IST0131: { name: 'VirtualServiceIneffectiveMatch', severity: 'Info' },
  IST0173: { name: 'DestinationRuleSubsetNotSelectPods', severity: 'Error' },
  IST0174: { name: 'UnknownDestinationRuleHost', severity: 'Warning' },
  SKF0001: { name: 'RouteWeightsAllZero', severity: 'Error' },
  SKF0002: { name: 'OutlierDetectionMayEjectAllHosts', severity: 'Warning' },
  SKF0003: { name: 'RetriesOutliveRouteTimeout', severity: 'Warning' },
  SKF0004: { name: 'StrictMtlsPeerWithoutSidecar', severity: 'Warning' },
  SKF0005: { name: 'SidecarTcpPortConflict', severity: 'Warning' },
} as const satisfies Record<string, { readonly name: string; readonly severity: Severity }>;

/** A code analyzers emit. */
export type FindingCode = keyof typeof CODES;

/** A finding about `source` with the code's severity. */
export function finding(
  code: FindingCode,
  source: SourcedResource<IstioResource>,
  path: string,
  message: string,
  hint: string,
): Finding {
  return {
    code,
    severity: CODES[code].severity,
    resource: resourceName(source.resource),
    file: source.file,
    path,
    message,
    hint,
  };
}

const byNumber = new Intl.Collator('en', { numeric: true });

/** Deterministic report order: file, resource, field path (numerically), code, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    byNumber.compare(a.file, b.file) ||
    byNumber.compare(a.resource, b.resource) ||
    byNumber.compare(a.path, b.path) ||
    byNumber.compare(a.code, b.code) ||
    byNumber.compare(a.message, b.message)
  );
}
