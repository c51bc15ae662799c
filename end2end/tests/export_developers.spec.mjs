// An admin exports the developers a search finds as CSV: a progress bar, then a
// download whose rows are exactly the matches; and, from Admin → Exports, API products
// as JSON, listed with the earlier job (jobs live on the host, not in the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openBrowser, newPage, adminPage, signUp, screenshot, uniqueEmail } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

/** Clicks a download link and returns the saved file's text and suggested name. */
async function download(page, link) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('an admin exports a search as CSV with a progress bar and downloads it; products as JSON', async () => {
  const stamp = Date.now();
  const tag = `export${stamp}`;
  const emails = [];
  for (const first of ['Ana', 'Ben', 'Cid']) {
    const page = await newPage(browser);
    const email = uniqueEmail(`${first.toLowerCase()}-${tag}`);
    await signUp(page, { first, last: `=Formula ${tag}`, email, password: 'export-me-please' });
    await page.waitForURL('**/dashboard');
    emails.push(email);
    await page.close();
  }
  const admin = await adminPage(browser);
  await admin.goto('/admin/developers');
  await admin.getByTestId('developer-search').fill(tag);
  await admin.getByTestId('developer-count').filter({ hasText: /^3 developers$/ }).waitFor();
  await admin.getByTestId('export-csv').click();
  const progress = admin.getByTestId('export-progress');
  await progress.waitFor();
  assert.ok(await progress.locator('progress').count(), 'a progress bar');
  const link = admin.getByTestId('export-download');
  await link.waitFor({ timeout: 15000 });
  assert.equal(await progress.locator('progress').getAttribute('value'), '100');
  await screenshot(admin, 'admin-developers-export');
  const csv = await download(admin, link);
  assert.match(csv.name, /^developers-\d{8}-\d{6}\.csv$/);
  const lines = csv.text.trim().split('\r\n');
  assert.match(lines[0], /^id,email,first_name,last_name,username,status,role,organisation/);
  assert.equal(lines.length, 4, 'a header and the three matches');
  for (const email of emails) assert.ok(csv.text.includes(email), email);
  assert.ok(lines.slice(1).every((l) => l.includes(`"'=Formula ${tag}"`)), 'formulas neutralised');

  // Admin → Exports: the job is there; products as JSON.
  await admin.goto('/admin/exports');
  await admin.getByTestId('export-row').filter({ hasText: `search “${tag}”` }).waitFor();
  await admin.getByTestId('export-kind').selectOption('products');
  await admin.locator('#export_format_json').check();
  await admin.getByTestId('start-export').click();
  const row = admin.getByTestId('export-row').filter({ hasText: 'API products · JSON' }).first();
  const productLink = row.getByTestId('export-download');
  await productLink.waitFor({ timeout: 15000 });
  await screenshot(admin, 'admin-exports');
  const json = await download(admin, productLink);
  const products = JSON.parse(json.text);
  assert.ok(Array.isArray(products));
  for (const p of products) assert.ok('apis' in p && 'documentation' in p, 'nested data kept');
  admin.assertNoErrors();
});
