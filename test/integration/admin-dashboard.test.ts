import { existsSync } from 'node:fs';
import t from 'tap';
import { decodePng, distinctColours } from '../helpers/png.js';
import { get, simpleBootstrap, startProxy, staticCluster, type Teardown } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const CHROMIUM = process.env.SKIFF_CHROMIUM ?? '/usr/bin/chromium';
/** A cluster name with markup: the page must show it as text, never as an element. */
const EVIL = 'evil<b>bold</b>';

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright | string> {
  if (!existsSync(CHROMIUM))
    return `no chromium at ${CHROMIUM} (apt-get install chromium, or set SKIFF_CHROMIUM)`;
  try {
    return await import('playwright-core');
  } catch (err) {
    return `playwright-core cannot be loaded (${err instanceof Error ? err.message : String(err)}); run npm ci`;
  }
}

async function startMesh(t: Teardown) {
  const good = await startUpstream('good');
  const bad = await startUpstream('bad', (_req, res) => {
    res.writeHead(500, { 'content-length': '4' });
    res.end('oops');
  });
  const clusters = `${staticCluster('web-frontend', good.port)}${staticCluster('flaky', good.port, bad.port)}    outlier_detection:
      consecutive_5xx: 2
      interval: 0.1s
      base_ejection_time: 300s
      max_ejection_percent: 50
  - name: "${EVIL}"
    type: STATIC
    connect_timeout: 1s
    load_assignment: { cluster_name: "${EVIL}", endpoints: [] }
`;
  const routes = `              - { match: { prefix: "/flaky" }, route: { cluster: flaky } }
              - { match: { prefix: "/empty" }, route: { cluster: "${EVIL}" } }
              - { match: { prefix: "/" }, route: { cluster: web-frontend } }`;
  const proxy = await startProxy(simpleBootstrap({ clusters, routes }));
  // Traffic until the test ends: the page needs two polls with requests in between for a rate.
  let running = true;
  const traffic = (async () => {
    const deadline = Date.now() + 120_000;
    while (running && Date.now() < deadline) {
      for (const path of ['/', '/flaky', '/empty', '/']) await get(`${proxy.base}${path}`).catch(() => null);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  t.teardown(async () => {
    running = false;
    await traffic;
    await proxy.stop();
    await good.close();
    await bad.close();
  });
  return { proxy, bad };
}

t.test('GET / negotiates: text list for curl-like clients, the dashboard for browsers', async (t) => {
  const { proxy } = await startMesh(t);
  const admin = proxy.adminBase!;
  const plain = await get(`${admin}/`, { headers: { accept: '*/*' } });
  t.match(plain.headers['content-type'], 'text/plain');
  t.match(plain.body, /^admin commands are:\n/);
  t.match(plain.body, '  /dashboard.json: ');
  t.equal(
    (await get(`${admin}/help`, { headers: { accept: 'text/html' } })).body,
    plain.body,
    '/help is the list',
  );
  const html = await get(`${admin}/`, { headers: { accept: 'text/html,*/*;q=0.8' } });
  t.match(html.headers['content-type'], 'text/html');
  t.match(html.headers['content-security-policy'], "default-src 'none'");
  t.match(html.body, '<title>Skiff admin</title>');
  const json = JSON.parse((await get(`${admin}/dashboard.json`)).body) as {
    clusters: Array<{ name: string }>;
  };
  t.same(json.clusters.map((c) => c.name).sort(), [EVIL, 'flaky', 'web-frontend']);
});

const pw = await loadPlaywright();

// Browser-side code is passed as strings (evaluated by DevTools, not under the page's CSP):
// this project compiles without the DOM types.
const LIVE_DATA = `(() => {
  if (document.body.getAttribute('data-loaded') !== 'true') return false;
  const web = document.querySelector('#clusters tr[data-cluster="web-frontend"] td.rate');
  const hosts = document.querySelector('#hosts tbody')?.textContent ?? '';
  const replies = document.querySelector('#local-replies tbody')?.textContent ?? '';
  return Number(web?.textContent) > 0 && hosts.includes('ejected') && replies.includes('no_healthy_upstream');
})()`;
const READ_VIEW = `(() => {
  const cells = (sel) =>
    [...document.querySelectorAll(sel)].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
  return {
    clusters: cells('#clusters tbody tr'),
    hosts: cells('#hosts tbody tr'),
    replies: cells('#local-replies tbody tr'),
    status: document.getElementById('status')?.textContent ?? '',
    injected: document.querySelectorAll('main b, main img, main script').length,
  };
})()`;

interface PageView {
  clusters: string[][];
  hosts: string[][];
  replies: string[][];
  status: string;
  injected: number;
}

t.test(
  'the dashboard renders live data in headless Chromium',
  { skip: typeof pw === 'string' ? pw : false },
  async (t) => {
    if (typeof pw === 'string') return;
    const { proxy, bad } = await startMesh(t);
    const admin = proxy.adminBase!;
    await eventually(
      async () =>
        (await get(`${admin}/clusters`)).body.includes(
          `flaky::127.0.0.1:${bad.port}::health_flags::/failed_outlier_check`,
        ),
      'the bad host to be ejected',
      20_000,
    );
    const browser = await pw.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox'],
      timeout: 60_000,
    });
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${admin}/`, { timeout: 30_000 });
    // Live data: the script ran (CSP allowed it), a second poll gave web-frontend a positive rate,
    // the ejected host and a local reply are listed.
    // Polled from here: waitForFunction would eval in the page, which the page's CSP forbids.
    await eventually(
      async () => (await page.evaluate(LIVE_DATA)) === true,
      'the page to show live data',
      30_000,
    );
    const view = (await page.evaluate(READ_VIEW)) as PageView;
    t.same(view.clusters.map((r) => r[0]).sort(), [EVIL, 'flaky', 'web-frontend'], 'cluster names, as text');
    t.equal(view.injected, 0, 'a cluster name with markup created no element');
    const flaky = view.clusters.find((r) => r[0] === 'flaky')!;
    t.equal(flaky[1], '1 / 2', 'flaky: one of two hosts healthy');
    t.equal(flaky[2], '1', 'flaky: one ejection active');
    const badRow = view.hosts.find((r) => r[1] === `127.0.0.1:${bad.port}`)!;
    t.equal(badRow[2], 'ejected /failed_outlier_check');
    t.ok(
      view.hosts.some((r) => r[0] === 'web-frontend' && r[2] === 'healthy'),
      'the healthy host',
    );
    const reply = view.replies.find((r) => r[3] === 'no_healthy_upstream')!;
    t.match(reply[0], /^\d{4}-\d\d-\d\dT/, 'reply time');
    t.same(reply.slice(1), [
      '503',
      'UH',
      'no_healthy_upstream',
      'GET',
      `127.0.0.1:${proxy.port}`,
      '/empty',
      EVIL,
    ]);
    t.equal(view.status, 'live');
    t.same(errors, [], 'no script or CSP error in the console');

    const png = await page.screenshot({ fullPage: true, timeout: 30_000 });
    if (process.env.SKIFF_DASHBOARD_PNG)
      (await import('node:fs')).writeFileSync(process.env.SKIFF_DASHBOARD_PNG, png);
    const img = decodePng(png);
    t.ok(img.width > 0 && img.height > 0, `screenshot ${img.width}x${img.height}`);
    t.ok(distinctColours(img) >= 4, 'the screenshot is not blank');
    const top = img.pixels.subarray(0, 3);
    const near = (v: number, want: number) => Math.abs(v - want) <= 8;
    t.ok(near(top[0]!, 0x1f) && near(top[1]!, 0x3b) && near(top[2]!, 0x63), 'the header band is drawn');
  },
);
