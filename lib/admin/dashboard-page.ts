/**
 * The admin home page for people: one self-contained HTML document (inline CSS and JS, no
 * external asset) that polls `/dashboard.json`. Every value from the proxy (cluster names,
 * hosts, paths, details) reaches the DOM through `textContent`/`setAttribute` only, never as
 * markup; the few values rendered on the server go through `escapeHtml`.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** How often the page polls, in ms. */
export const POLL_MS = 1000;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1f3b63;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header a{color:#cfe0ff}
main{padding:8px 16px}section{margin:12px 0}h2{font-size:15px;margin:8px 0}
table{border-collapse:collapse;background:#fff;min-width:40%}
th,td{border:1px solid #d5d9e0;padding:3px 8px;text-align:left;white-space:nowrap}
th{background:#e8ecf2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17692f;font-weight:600}.bad{color:#b3261e;font-weight:600}.warn{color:#8a5a00;font-weight:600}
#status.bad{background:#b3261e;color:#fff;padding:0 6px}header .ok{color:#9be7a8}.empty{color:#6b7280;font-style:italic}
`;

// Plain ES2017 in the browser; kept free of template literals so nothing here needs escaping.
const SCRIPT = `
'use strict';
var POLL_MS = ${POLL_MS};
function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function num(v, digits, suffix) {
  if (v === null || v === undefined) return '\\u2013';
  return Number(v).toFixed(digits) + (suffix || '');
}
function pct(v) { return v === null || v === undefined ? '\\u2013' : (v * 100).toFixed(2) + ' %'; }
function fill(id, rows, cols) {
  var body = document.querySelector('#' + id + ' tbody');
  var fresh = document.createElement('tbody');
  if (rows.length === 0) {
    var tr = el('tr'); var td = el('td', 'none', 'empty');
    td.colSpan = cols; tr.appendChild(td); fresh.appendChild(tr);
  }
  for (var i = 0; i < rows.length; i++) fresh.appendChild(rows[i]);
  body.parentNode.replaceChild(fresh, body);
}
function row(cells, attrs) {
  var tr = el('tr');
  for (var k in attrs) tr.setAttribute(k, attrs[k]);
  for (var i = 0; i < cells.length; i++) tr.appendChild(cells[i]);
  return tr;
}
function breakers(b) {
  var open = [];
  for (var k in b) if (b[k]) open.push(k);
  return open.length === 0 ? el('td', 'closed', 'ok') : el('td', 'open: ' + open.join(', '), 'bad');
}
function render(d) {
  document.getElementById('version').textContent = d.version;
  document.getElementById('state').textContent = d.state;
  document.getElementById('uptime').textContent = d.uptimeSeconds + ' s';
  document.getElementById('updated').textContent = d.generatedAt;
  document.getElementById('window').textContent = d.windowSeconds === null ? 'first sample' : d.windowSeconds + ' s';
  var clusters = [], hosts = [];
  for (var i = 0; i < d.clusters.length; i++) {
    var c = d.clusters[i];
    var healthCls = c.healthyHosts < c.totalHosts ? 'warn' : 'ok';
    clusters.push(row([
      el('td', c.name), el('td', c.healthyHosts + ' / ' + c.totalHosts, healthCls),
      el('td', c.ejectionsActive, c.ejectionsActive > 0 ? 'num bad' : 'num'),
      el('td', num(c.requestsPerSecond, 2), 'num rate'), el('td', pct(c.errorRate), c.errorRate > 0 ? 'num bad' : 'num'),
      el('td', num(c.p50Ms, 1, ' ms'), 'num'), el('td', num(c.p99Ms, 1, ' ms'), 'num'),
      el('td', c.activeRequests, 'num'), el('td', c.pendingRequests, 'num'),
      el('td', c.pendingOverflow, c.pendingOverflow > 0 ? 'num warn' : 'num'), breakers(c.breakers)
    ], { 'data-cluster': c.name }));
    for (var j = 0; j < c.hosts.length; j++) {
      var h = c.hosts[j];
      hosts.push(row([
        el('td', c.name), el('td', h.address),
        el('td', h.ejected ? 'ejected ' + h.health : h.health, h.health === 'healthy' ? 'ok' : 'bad'),
        el('td', h.weight, 'num'), el('td', h.activeRequests, 'num'), el('td', h.requests, 'num'), el('td', h.errors, 'num')
      ], { 'data-cluster': c.name, 'data-host': h.address }));
    }
  }
  fill('clusters', clusters, 11);
  fill('hosts', hosts, 7);
  var dests = [];
  for (var i = 0; i < d.destinations.length; i++) {
    var x = d.destinations[i];
    dests.push(row([
      el('td', x.reporter), el('td', x.service), el('td', num(x.requestsPerSecond, 2), 'num rate'),
      el('td', pct(x.errorRate), x.errorRate > 0 ? 'num bad' : 'num'),
      el('td', num(x.p50Ms, 1, ' ms'), 'num'), el('td', num(x.p99Ms, 1, ' ms'), 'num'), el('td', x.requests, 'num')
    ], {}));
  }
  fill('destinations', dests, 7);
  var replies = [];
  for (var i = 0; i < d.localReplies.length; i++) {
    var r = d.localReplies[i];
    replies.push(row([
      el('td', r.time), el('td', r.status, r.status >= 500 ? 'num bad' : 'num'), el('td', r.flags), el('td', r.details),
      el('td', r.method), el('td', r.authority), el('td', r.path), el('td', r.cluster)
    ], {}));
  }
  fill('local-replies', replies, 8);
}
function poll() {
  var status = document.getElementById('status');
  fetch('dashboard.json', { cache: 'no-store' }).then(function (res) {
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }).then(function (d) {
    render(d);
    status.textContent = 'live'; status.className = 'ok';
    document.body.setAttribute('data-loaded', 'true');
  }).catch(function (e) {
    status.textContent = 'disconnected (' + e.message + ')'; status.className = 'bad';
  }).then(function () { setTimeout(poll, POLL_MS); });
}
poll();
`;

function table(id: string, title: string, heads: readonly string[]): string {
  const ths = heads.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<section><h2>${escapeHtml(title)}</h2><table id="${id}"><thead><tr>${ths}</tr></thead><tbody></tbody></table></section>`;
}

/** The page; `nonce` authorises its inline style and script under the response's CSP. */
export function dashboardHtml(version: string, nonce: string): string {
  const n = escapeHtml(nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skiff admin</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">
<style nonce="${n}">${STYLE}</style></head>
<body>
<header><h1>Skiff admin</h1><span>version <b id="version">${escapeHtml(version)}</b></span>
<span>state <b id="state"></b></span><span>uptime <b id="uptime"></b></span>
<span>updated <b id="updated"></b></span><span>rate window <b id="window"></b></span>
<span id="status">connecting</span><a href="help">endpoints</a></header>
<main>
${table('clusters', 'Clusters', ['cluster', 'healthy hosts', 'ejected', 'rq/s', '5xx', 'P50', 'P99', 'active', 'pending', 'overflowed', 'circuit breakers'])}
${table('hosts', 'Hosts', ['cluster', 'host', 'health', 'weight', 'active', 'requests', 'errors'])}
${table('destinations', 'Destinations (Istio metrics)', ['reporter', 'service', 'rq/s', '5xx', 'P50', 'P99', 'requests'])}
${table('local-replies', 'Recent local replies', ['time', 'status', 'flags', 'details', 'method', 'authority', 'path', 'cluster'])}
</main>
<script nonce="${n}">${SCRIPT}</script>
</body></html>
`;
}

/**
 * The CSP sent with the page: nothing external, only the nonce'd inline style/script, fetch to
 * self, and the empty data: icon (which spares the browser a /favicon.ico 404).
 */
export function dashboardCsp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
