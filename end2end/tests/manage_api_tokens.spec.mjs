// An admin makes an API token in Admin → Settings → API tokens: it is shown once, opens
// the REST API (/api/v1) at once, is listed by its prefix with its last use, and stops
// working the moment it is revoked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, adminPage, screenshot } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

/** GET `path` from the page with the token, as a script would. */
async function apiGet(page, path, token) {
  return page.evaluate(async ([path, token]) => {
    const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, body: await r.json() };
  }, [path, token]);
}

test('an API token is shown once, opens /api/v1, and stops when revoked', async () => {
  const admin = await adminPage(browser);
  await admin.goto('/admin/settings');
  const name = `E2E script ${Date.now()}`;
  // An empty name is refused beside the field.
  await admin.getByRole('button', { name: 'Create token' }).click();
  await admin.locator('#token_name-error').filter({ hasText: /name/ }).waitFor();
  await admin.getByLabel('Token name').fill(name);
  await admin.getByRole('button', { name: 'Create token' }).click();
  const secret = await admin.getByTestId('new-key-secret').inputValue();
  assert.match(secret, /^ptk_[A-Za-z0-9]{40}$/);
  await admin.getByText('This is the only time the token is shown.').waitFor();

  const ok = await apiGet(admin, '/api/v1/developers?q=e2e', secret);
  assert.equal(ok.status, 200);
  assert.ok(Array.isArray(ok.body.rows));
  const orgs = await apiGet(admin, '/api/v1/organisations?limit=1', secret);
  assert.equal(orgs.status, 200);
  assert.equal(orgs.body.items.length, 1);

  await admin.getByTestId('key-done').click();
  assert.equal(await admin.getByTestId('new-key-secret').count(), 0, 'the token is not shown again');
  await admin.reload();
  const row = admin.getByTestId('tokens-table').locator('tr', { hasText: name });
  await row.waitFor();
  assert.ok((await row.textContent()).includes(secret.slice(0, 12)), 'listed by its prefix');
  assert.ok(!(await admin.content()).includes(secret), 'the page never shows the secret again');
  await screenshot(admin, 'admin-settings-api-tokens');

  await row.getByTestId('revoke-token').click();
  await row.getByText(/^revoked /).waitFor();
  const refused = await apiGet(admin, '/api/v1/developers', secret);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error, 'unauthenticated');
});
