// A developer watches their API usage: an admin publishes a product in a public catalog
// with a small daily quota; a developer gets a key at once; calls go through the gateway
// endpoint (as nginx's auth_request would send them); within seconds the dashboard's
// 7-day graph shows them, allowed and denied, and the key's quota meter moves until the
// quota is used up. The admin home shows the portal-wide calls too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openBrowser, newPage, adminPage, signUp, screenshot, uniqueEmail, gatewayCall, publishInstantPlan, requestInstantKey,
} from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

/** The numbers the chart itself draws (ECharts' own option), allowed and denied. */
async function chartTotals(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="usage-chart"]');
    const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
    if (!chart) return null;
    const sum = (s) => s.data.reduce((a, b) => a + (Array.isArray(b) ? b[1] : Number(b)), 0);
    const [allowed, denied] = chart.getOption().series;
    return { allowed: sum(allowed), denied: sum(denied) };
  });
}

async function waitForTotals(page, allowed, denied) {
  await page.getByTestId('usage-allowed').filter({ hasText: new RegExp(`^${allowed}$`) }).waitFor({ timeout: 15000 });
  await page.getByTestId('usage-denied').filter({ hasText: new RegExp(`^${denied}$`) }).waitFor({ timeout: 15000 });
  await page.waitForFunction(
    ([a, d]) => {
      const el = document.querySelector('[data-testid="usage-chart"]');
      const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      if (!chart) return false;
      const sum = (s) => s.data.reduce((x, y) => x + (Array.isArray(y) ? y[1] : Number(y)), 0);
      const [allowedSeries, deniedSeries] = chart.getOption().series;
      return sum(allowedSeries) === a && sum(deniedSeries) === d;
    },
    [allowed, denied],
    { timeout: 15000 },
  );
}

test('calls through the gateway show on the dashboard within seconds and the quota meter moves', async () => {
  const stamp = Date.now();
  const admin = await adminPage(browser);
  const published = await publishInstantPlan(admin, stamp);
  const { prefix } = published;

  // A developer gets a key at once.
  const dev = await newPage(browser);
  await signUp(dev, { first: 'Wendy', last: 'Watcher', email: uniqueEmail('wendy'), password: 'watch-the-graph' });
  await dev.waitForURL('**/dashboard');
  await dev.getByText('No API usage yet').waitFor();
  const key = await requestInstantKey(dev, published, 'Forecast');

  // Before any call: the dashboard shows the key with its whole quota left.
  await dev.goto('/dashboard');
  await waitForTotals(dev, 0, 0);
  const row = dev.getByTestId('key-usage-row').first();
  await row.getByTestId('quota-left').filter({ hasText: /^5$/ }).waitFor();
  assert.match(await row.innerText(), /Starter[\s\S]*100 requests\/s/);

  // Three allowed calls and one to a path the key does not cover.
  for (let i = 0; i < 3; i++) assert.equal(await gatewayCall(key, `${prefix}/today?i=${i}`), 200);
  assert.equal(await gatewayCall(key, '/somewhere-else'), 403);
  await waitForTotals(dev, 3, 1);
  await row.getByTestId('quota-used').filter({ hasText: /^3$/ }).waitFor();
  await row.getByTestId('quota-left').filter({ hasText: /^2$/ }).waitFor();
  assert.equal(await row.getByTestId('quota-meter').getAttribute('aria-valuenow'), '3');
  await screenshot(dev, 'dashboard-usage');

  // Three more: two fit the quota, the third is refused with 429; the meter is full.
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push(await gatewayCall(key, `${prefix}/tomorrow`));
  assert.deepEqual(statuses, [200, 200, 429]);
  await waitForTotals(dev, 5, 2);
  await row.getByTestId('quota-left').filter({ hasText: /^0$/ }).waitFor();
  assert.match(await dev.locator('.usage-reasons').innerText(), /Over quota\s+1/);

  // Filtering by the key shows the same calls; the chart draws exactly these numbers.
  await dev.getByTestId('usage-key').selectOption({ index: 1 });
  await waitForTotals(dev, 5, 2);
  assert.deepEqual(await chartTotals(dev), { allowed: 5, denied: 2 });

  // The admin home: portal-wide calls include these.
  await admin.goto('/admin');
  await admin.getByTestId('usage-chart').waitFor();
  await admin.waitForFunction(() => Number(document.querySelector('[data-testid="usage-allowed"]')?.textContent.replace(/,/g, '')) >= 5, null, { timeout: 15000 });
  await screenshot(admin, 'admin-home-usage');

  dev.assertNoErrors();
  admin.assertNoErrors();
});
