export const MAIN_HELP = `skiff: a service-mesh sidecar proxy that runs Envoy v3 bootstraps and Istio resources

Usage: skiff <command> [options]

Commands:
  run        load config files and serve
  validate   check config files without serving (Istio resources: istioctl-analyze checks)
  translate  print what the config compiles to, as an Envoy v3 bootstrap (YAML)
  pki        mesh root CA and workload certificates (init, issue, inspect)
  demo       start two demo upstreams and Skiff in front of them (canary split)

Run 'skiff <command> --help' for a command's options.
`;

/** The sidecar-mode flags, shared by run, validate and translate. */
export const SIDECAR_HELP = `
Sidecar mode (Istio resources; each flag falls back to the environment variable):
      --namespace NS          workload namespace (POD_NAMESPACE; default "default")
      --service-account SA    (SERVICE_ACCOUNT; default "default")
      --workload-name NAME    (ISTIO_META_WORKLOAD_NAME, POD_NAME)
      --labels k=v,k2=v2      workload labels (ISTIO_METAJSON_LABELS, a JSON object)
      --trust-domain TD       SPIFFE trust domain (TRUST_DOMAIN; default cluster.local)
      --outbound-port N       outbound listener (default 15001; 0 = off)
      --inbound-port N        inbound listener (default 15006; 0 = off)
      --app-port N            the app's port, when no Sidecar ingress names one
      --outbound-traffic-policy ALLOW_ANY|REGISTRY_ONLY   unknown hosts (default ALLOW_ANY)
      --bind-address ADDR     listener address (default 0.0.0.0)
      --access-log FILE|-     access log on every listener (meshConfig accessLogFile; default
                              off as in Istio's default profile; - = stdout; no env variable)
      --access-log-format text|json|FORMAT   Istio's TEXT (default) or JSON format, or an Envoy
                              format string (%COMMAND% operators) or JSON object of them
`;

export const RUN_HELP = `Usage: skiff run -c FILE [-c FILE ...] [options]

Loads one or more YAML/JSON files (multi-document YAML allowed), validates and
compiles them, then serves. An invalid config exits 1 before any port is bound,
printing every error with its file, field path and reason.

While serving, the files are watched and SIGHUP reloads them: a valid config is
swapped in live (requests in flight finish on the old one); an invalid one is
rejected whole, logged with file and field path, and the running config stays.

Files holding Istio resources (VirtualService, DestinationRule, ServiceEntry,
WorkloadEntry, Sidecar, PeerAuthentication, AuthorizationPolicy) run Skiff as the
sidecar of one workload, with Istio's ports: outbound 15001 (routes by Host, also
as an HTTP proxy: curl -x http://127.0.0.1:15001 http://svc/), inbound 15006 (to
the app), 15021 /healthz/ready, 15090 /stats/prometheus, admin 15000 (localhost).

Options:
  -c, --config FILE     config file (repeatable)
      --admin-port N    override the admin port (0 = any free port)
      --health-port N   serve GET /healthz/ready on N (sidecar default 15021; 0 = off)
      --stats-port N    serve GET /stats/prometheus on N (sidecar default 15090; 0 = off)
      --log-level L     trace|debug|info|warn|error|off (default info)
      --cert-dir DIR    workload certificate mounted as files (cert-chain.pem,
                        key.pem, root-cert.pem), watched and swapped on change
      --ca-dir DIR      issue our own certificate for the workload identity
                        (spiffe://TD/ns/NS/sa/SA) from the CA in DIR (skiff pki
                        init) and renew it at half of its lifetime
      --cert-ttl D      lifetime of certificates issued with --ca-dir (default 24h,
                        at least 3s)
      --cert-key-type T key of certificates issued with --ca-dir: rsa (default)
                        or ec (ECDSA P-256)
      --trace-sampling P  sidecar mode: percent of requests whose spans are
                        exported (default 1, as Istio); every request still
                        propagates a trace context
      --trace-endpoint URL  collector for sampled spans (OTLP/HTTP JSON, e.g.
                        http://otel-collector:4318/v1/traces); none = not exported
      --trace-provider otlp|zipkin  export format (default otlp; zipkin = JSON v2
                        to e.g. http://zipkin:9411/api/v2/spans)
  -h, --help            show this help
${SIDECAR_HELP}`;

export const VALIDATE_HELP = `Usage: skiff validate -c FILE [-c FILE ...] [--strict] [--output text|json]

Runs every config check without serving. For an Envoy bootstrap it prints "ok"
and exits 0, or prints each error (file, field path, reason) and exits 1.

Istio resources are also analyzed like 'istioctl analyze' (IST0101, IST0109,
IST0130, ... and Skiff's own SKF codes; docs/analyze.md lists them all). Each
finding is printed as
  Error [IST0101] (VirtualService ns/name file.yaml spec.http[0]...) message
      hint: how to fix it
Exit code: 1 on a load error or an Error finding (or a Warning with --strict),
else 0.

Options:
  -c, --config FILE     config file (repeatable)
      --strict          warnings fail validation too (exit 1)
      --output FORMAT   text (default) or json
  -h, --help            show this help
${SIDECAR_HELP}`;

export const TRANSLATE_HELP = `Usage: skiff translate -c FILE [-c FILE ...] [sidecar options]

Loads the files as 'skiff run' would and prints the result as an Envoy v3
bootstrap (YAML) on stdout: for Istio resources, the listeners, routes and
outbound|port|subset|fqdn clusters istiod would give this workload's sidecar.
Errors go to stderr with file and field path, and exit 1.

Options:
  -c, --config FILE     config file (repeatable)
  -h, --help            show this help
${SIDECAR_HELP}`;

export const DEMO_HELP = `Usage: skiff demo [options]

Starts order-service v1 and v2 (tiny HTTP servers answering with their version)
and Skiff as the sidecar of a "frontend" workload, serving the seed article's
canary VirtualService and DestinationRule unchanged
(config-examples/istio/istio-canary.yaml) with the ServiceEntry, WorkloadEntries
and Sidecar in config-examples/istio/order-service-registry.yaml: requests with
"x-canary: yes" go to v2; all others are split 95% v1 / 5% v2. Runs until Ctrl-C.

Options:
      --port N          outbound listener port (default 15001)
      --admin-port N    admin port (default 15000)
      --log-level L     trace|debug|info|warn|error|off (default info)
  -h, --help            show this help
`;

export const PKI_HELP = `Usage: skiff pki <init|issue|inspect> [options]

  skiff pki init --out DIR [--trust-domain TD] [--ttl-days N] [--key-type rsa|ec]
                 [--force]
      Creates a self-signed mesh root CA (CA:TRUE, default 3650 days)
      with Istio's plug-in CA file names: ca-cert.pem, ca-key.pem (mode 0600),
      root-cert.pem, cert-chain.pem; the directory can seed an Istio cacerts secret.

  skiff pki issue --ca DIR --spiffe spiffe://TD/ns/NS/sa/SA --out DIR [--ttl 24h]
                  [--key-type rsa|ec] [--force]
      Issues a workload certificate (X.509 SVID: the SPIFFE ID as the only URI
      SAN, CA:FALSE, digitalSignature + keyEncipherment, serverAuth + clientAuth)
      signed by the CA in DIR, written as Istio mounts it: cert-chain.pem,
      key.pem (mode 0600), root-cert.pem. --ttl takes s, m, h, d (default 24h).

  skiff pki inspect FILE
      Prints each certificate in FILE: subject, issuer, SANs, validity (with
      days left), serial and SHA-256 fingerprint.

Options:
      --key-type T      key of the new certificate: rsa (RSA-2048, Istio's
                        default) or ec (ECDSA P-256, Istio's
                        ECC_SIGNATURE_ALGORITHM=ECDSA); default rsa. The CA's
                        key type is independent: an rsa CA signs ec leaves and
                        an ec CA rsa ones (SHA-256 either way)
      --force           overwrite existing files (otherwise an error)
  -h, --help            show this help

Usage errors (bad SPIFFE ID, ttl or key type, missing CA files, existing files) exit 2.
`;
