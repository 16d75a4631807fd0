export const MAIN_HELP = `skiff: a service-mesh sidecar proxy that runs Envoy v3 bootstraps

Usage: skiff <command> [options]

Commands:
  run        load config files and serve
  validate   check config files without serving
  demo       start two demo upstreams and Skiff in front of them (canary split)

Run 'skiff <command> --help' for a command's options.
`;

export const RUN_HELP = `Usage: skiff run -c FILE [-c FILE ...] [options]

Loads one or more YAML/JSON files (multi-document YAML allowed), validates and
compiles them, then serves. An invalid config exits 1 before any port is bound,
printing every error with its file, field path and reason.

While serving, the files are watched and SIGHUP reloads them: a valid config is
swapped in live (requests in flight finish on the old one); an invalid one is
rejected whole, logged with file and field path, and the running config stays.

Options:
  -c, --config FILE     config file (repeatable)
      --admin-port N    override admin.address port (0 = any free port)
      --health-port N   serve GET /healthz/ready on N (Istio: 15021; 0 or absent = off)
      --stats-port N    serve GET /stats/prometheus on N (Istio: 15090; 0 or absent = off)
      --log-level L     trace|debug|info|warn|error|off (default info)
  -h, --help            show this help
`;

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
`;

export const DEMO_HELP = `Usage: skiff demo [options]

Starts order-service v1 and v2 (tiny HTTP servers answering with their version)
and Skiff in front of them with config-examples/demo-canary.yaml: requests with
"x-canary: yes" go to v2; all others are split 95% v1 / 5% v2. Runs until Ctrl-C.

Options:
      --port N          listener port (default 15001 from the config file)
      --admin-port N    admin port (default 15000)
      --log-level L     trace|debug|info|warn|error|off (default info)
  -h, --help            show this help
`;
