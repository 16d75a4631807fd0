/** One declared stat: the row a module's table holds and `docs/stats.md` lists. */
export interface StatDef {
  /** Full Prometheus name, e.g. `envoy_cluster_upstream_rq_total`. */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  /** Label names in Envoy's exposition order. */
  readonly labels: readonly string[];
}
