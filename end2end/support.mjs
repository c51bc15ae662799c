// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core,
// against the real `portico` binary that `cargo xtask test` starts.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';

export const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
export const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL ?? 'admin@localhost';
export const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';
const ARTIFACTS = new URL('./artifacts/', import.meta.url);

/** Starts headless Chromium with the flags this sandbox needs (no network beyond loopback). */
export async function openBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A fresh browser context (own cookies) and page. Uncaught page errors fail the test
 * when `page.assertNoErrors()` is called.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // Refused calls (4xx) are expected in tests; so is Gravatar being unreachable offline.
    const offlineAvatar = (m.location()?.url ?? '').includes('gravatar.com');
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && !offlineAvatar) errors.push(m.text());
  });
  page.assertNoErrors = () => assert.deepEqual(errors, [], 'no errors in the page');
  return page;
}

/** A unique address per run, so tests never collide with each other or earlier runs. */
export function uniqueEmail(prefix) {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Saves a screenshot under end2end/artifacts/ (for people to look at; not asserted). */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const db = (process.env.E2E_DATABASE ?? 'db').toLowerCase();
  await page.screenshot({ path: new URL(`${name}-${db}.png`, ARTIFACTS).pathname, fullPage: true });
}

export async function signUp(page, { first, last, email, password }) {
  await page.goto('/sign-up');
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill(last);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function signIn(page, email, password) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/sign-in');
}

/** Signs in as the portal admin in a fresh context and returns the page. */
export async function adminPage(browser) {
  const page = await newPage(browser);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.waitForURL('**/admin');
  return page;
}

/**
 * Opens Admin → Outbox as the admin, opens the newest mail to `to` whose subject
 * matches `subject`, and returns the first link in its text body.
 */
export async function linkFromOutbox(admin, to, subject) {
  await admin.goto('/admin/outbox');
  const row = admin.getByTestId('outbox-row').filter({ hasText: to }).filter({ hasText: subject }).first();
  await row.waitFor();
  await row.click();
  const text = await admin.getByTestId('mail-text').innerText();
  const match = text.match(/https?:\/\/\S+/);
  assert.ok(match, `a link in the mail to ${to}: ${text}`);
  return match[0];
}

/** Turns "Auto-approve developer registrations" on or off in Admin → Settings. */
export async function setAutoApprove(admin, on) {
  await admin.goto('/admin/settings');
  const box = admin.getByLabel('Auto-approve developer registrations');
  await box.waitFor();
  if ((await box.isChecked()) !== on) await box.click();
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByText('Settings saved.').first().waitFor();
}

const PAYMENTS_SPEC = `openapi: 3.0.3
info: {title: Payments, version: '1.0'}
paths:
  /payments:
    get: {summary: List payments}
    post: {summary: Create a payment}
`;

/**
 * Creates and publishes a product through the admin pages; returns its slug. With
 * `withApi`, adds an API at `prefix` (default `/payments`) whose OpenAPI document is
 * uploaded as a YAML file.
 */
export async function createProduct(admin, name, { withApi, prefix = '/payments' } = {}) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await admin.goto('/admin/products');
  await admin.locator('#product_name').fill(name);
  assert.equal(await admin.locator('#product_slug').inputValue(), slug, 'slug suggested from the name');
  await admin.locator('#product_summary').fill(`${name} for your shop`);
  await admin.locator('#product_base_url').fill('https://api.example.com/v1');
  await admin.getByTestId('create-product').click();
  await admin.getByTestId('product-name').filter({ hasText: name }).waitFor();
  await admin.locator('#product_documentation').fill(`# ${name}\n\nCall \`GET /payments\`.\n\n<script>window.pwned = 1</script>`);
  await admin.locator('#product_published').check();
  await admin.getByTestId('save-product').click();
  await admin.getByTestId('product-status').filter({ hasText: /published/i }).first().waitFor();
  if (withApi) {
    await admin.locator('#api_name').fill('Payments');
    await admin.locator('#path_prefix').fill(prefix);
    await admin.locator('#api_spec_file').setInputFiles({ name: 'payments.yaml', mimeType: 'application/yaml', buffer: Buffer.from(PAYMENTS_SPEC) });
    await admin.waitForFunction(() => document.querySelector('#api_spec').value.includes('Create a payment'));
    await admin.getByTestId('add-api').click();
    await admin.getByTestId('api-operation').filter({ hasText: 'Create a payment' }).waitFor();
  }
  return slug;
}

/** Asks Portico's gateway endpoint, as nginx would, whether `key` may call `uri`. */
export async function gatewayCall(key, uri) {
  const res = await fetch(`${BASE}/gateway/verify`, { headers: { 'X-API-Key': key, 'X-Original-URI': uri } });
  return res.status;
}

/**
 * Publishes a product with an API at `prefix` in a new public catalog whose plan
 * ("Starter", `rate` per second, `quota` a day) needs no approval. Returns the names.
 */
export async function publishInstantPlan(admin, stamp, { rate = 100, quota = 5 } = {}) {
  const product = `Weather ${stamp}`;
  const prefix = `/weather-${stamp}`;
  await createProduct(admin, product, { withApi: true, prefix });
  const catalogName = `Open ${stamp}`;
  await admin.goto('/admin/catalogs');
  await admin.locator('#catalog_name').fill(catalogName);
  await admin.locator('#visibility_public').check();
  await admin.getByTestId('create-catalog').click();
  await admin.locator('#catalog_product').selectOption({ label: product });
  await admin.getByTestId('add-catalog-product').click();
  await admin.getByTestId('catalog-product-row').filter({ hasText: product }).waitFor();
  await admin.locator('#plan_name').fill('Starter');
  await admin.locator('#rate_limit').fill(String(rate));
  await admin.locator('#quota').fill(String(quota));
  await admin.getByTestId('create-plan').click();
  await admin.getByTestId('plan-row').filter({ hasText: 'Starter' }).waitFor();
  return { product, prefix, catalogName };
}

/** A signed-in developer puts `product` in the cart and checks out with a new app; returns the key shown once. */
export async function requestInstantKey(dev, { product, catalogName }, appName) {
  await dev.goto('/catalog');
  await dev.getByRole('link', { name: product }).click();
  await dev.locator(`[data-testid="add-to-cart"][data-catalog="${catalogName}"]`).click();
  await dev.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
  await dev.goto('/cart');
  const group = dev.locator(`[data-testid="cart-group"][data-catalog="${catalogName}"]`);
  await group.locator('[data-testid="plan-option"][data-plan="Starter"] input').check();
  await group.getByTestId('app-select').selectOption('new');
  await group.getByLabel('App name').fill(appName);
  await group.getByTestId('request-access').click();
  await dev.getByTestId('request-granted').waitFor();
  return dev.getByTestId('new-key-secret').inputValue();
}
