// The developer's main journey, catalog to a working key: an admin publishes two
// products in a private catalog for one team with a manual-approval plan; a member of
// that team puts both in the cart and requests access with a new app; the admin
// approves; the key is shown once; a teammate sees the shared app and makes a key of
// their own; a key is rotated with a grace period and another revoked. Someone outside
// the team never sees the private catalog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, adminPage, signUp, screenshot, uniqueEmail, createProduct } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('from the catalog to a working key, approved by an admin and shared by the team', async () => {
  const stamp = Date.now();
  const admin = await adminPage(browser);

  // An organisation with a team, and an invite code into that team.
  const orgName = `Umbrella ${stamp}`;
  await admin.goto('/admin/organisations');
  await admin.getByLabel('Name', { exact: true }).fill(orgName);
  await admin.getByRole('button', { name: 'Create organisation' }).click();
  await admin.getByTestId('org-name').filter({ hasText: orgName }).waitFor();
  await admin.getByLabel('New team').fill('Payments team');
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByLabel('Name of team Payments team').waitFor();
  await admin.getByTestId('invite-codes').getByLabel('Team').selectOption({ label: 'Payments team' });
  await admin.getByRole('button', { name: 'Create invite code' }).click();
  const code = (await admin.getByTestId('new-invite-code').innerText()).trim();

  // Two products, one with an OpenAPI document.
  const cards = `Cards ${stamp}`;
  const refunds = `Refunds ${stamp}`;
  const cardsSlug = await createProduct(admin, cards, { withApi: true });
  await screenshot(admin, 'admin-product');
  await createProduct(admin, refunds);

  // A private catalog for the team, with both products and a manual-approval plan.
  const catalogName = `Partners ${stamp}`;
  await admin.goto('/admin/catalogs');
  await admin.locator('#catalog_name').fill(catalogName);
  await admin.locator('#visibility_private').check();
  await admin.getByTestId('create-catalog').click();
  await admin.getByTestId('catalog-audience').waitFor();
  for (const name of [cards, refunds]) {
    await admin.locator('#catalog_product').selectOption({ label: name });
    await admin.getByTestId('add-catalog-product').click();
    await admin.getByTestId('catalog-product-row').filter({ hasText: name }).waitFor();
  }
  await admin.locator('#team_org').selectOption({ label: orgName });
  await admin.locator('#audience_team').selectOption({ label: 'Payments team' });
  await admin.getByTestId('add-catalog-team').click();
  await admin.getByTestId('audience-team').filter({ hasText: 'Payments team' }).waitFor();
  await admin.locator('#plan_name').fill('Gold');
  await admin.locator('#rate_limit').fill('50');
  await admin.locator('#quota').fill('100000');
  await admin.locator('#key_lifetime_days').fill('90');
  await admin.locator('#requires_approval').check();
  await admin.getByTestId('create-plan').click();
  await admin.getByTestId('plan-row').filter({ hasText: 'Gold' }).waitFor();
  await screenshot(admin, 'admin-catalog');

  // Two team members sign up with the code; an outsider without it.
  const aliceEmail = uniqueEmail('alice');
  const alice = await newPage(browser);
  await alice.goto(`/sign-up?code=${code}`);
  await signUpHere(alice, 'Alice', aliceEmail);
  const bert = await newPage(browser);
  await bert.goto(`/sign-up?code=${code}`);
  await signUpHere(bert, 'Bert', uniqueEmail('bert'));
  const outsider = await newPage(browser);
  await signUp(outsider, { first: 'Olga', last: 'Outside', email: uniqueEmail('olga'), password: 'outside-pass-1' });
  await outsider.waitForURL('**/dashboard');
  await outsider.goto('/catalog');
  // Either other products or the empty state: the catalog has loaded.
  await outsider.locator('[data-testid="catalog-search"], .state-empty').first().waitFor();
  assert.equal(await outsider.getByTestId('product-card').filter({ hasText: cards }).count(), 0, 'a private catalog stays private');
  await outsider.goto(`/catalog/${cardsSlug}`);
  await outsider.getByText(/not found/i).first().waitFor();

  // Alice browses, reads the product page (the script in the docs is shown as text),
  // and puts both products in the cart.
  await alice.goto('/catalog');
  await alice.getByTestId('catalog-filter').filter({ hasText: catalogName }).click();
  await alice.getByTestId('product-card').filter({ hasText: refunds }).waitFor();
  await screenshot(alice, 'catalog');
  await alice.getByRole('link', { name: cards }).click();
  await alice.getByTestId('operation').filter({ hasText: 'List payments' }).waitFor();
  assert.match(await alice.getByTestId('product-docs').innerText(), /<script>window\.pwned = 1<\/script>/);
  assert.equal(await alice.evaluate(() => window.pwned), undefined, 'the documentation ran no script');
  await alice.locator(`[data-testid="add-to-cart"][data-catalog="${catalogName}"]`).click();
  await alice.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
  await screenshot(alice, 'product');
  await alice.goto('/catalog');
  await alice.getByRole('link', { name: refunds }).click();
  await alice.locator(`[data-testid="add-to-cart"][data-catalog="${catalogName}"]`).click();
  await alice.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();

  // The cart is kept on the host: it survives a reload.
  await alice.goto('/cart');
  await alice.reload();
  const group = alice.locator(`[data-testid="cart-group"][data-catalog="${catalogName}"]`);
  await group.getByTestId('cart-product').nth(1).waitFor();
  assert.equal(await group.getByTestId('cart-product').count(), 2);
  await group.locator('[data-testid="plan-option"][data-plan="Gold"] input').check();
  await group.getByTestId('app-select').selectOption('new');
  await group.getByLabel('App name').fill('Checkout');
  await group.getByLabel(/Comment for the reviewer/).fill('Our web shop');
  await screenshot(alice, 'cart');
  await group.getByTestId('request-access').dblclick();
  await alice.getByTestId('request-pending').waitFor();
  await screenshot(alice, 'request-pending');

  // The admin approves it in the queue.
  await admin.goto('/admin/access-requests');
  const row = admin.getByTestId('access-request-row').filter({ hasText: aliceEmail });
  await row.waitFor();
  assert.equal(await row.count(), 1, 'the double click made one request');
  assert.match(await row.innerText(), new RegExp(`${cards}[\\s\\S]*${refunds}|${refunds}[\\s\\S]*${cards}`));
  await screenshot(admin, 'admin-access-requests');
  await row.getByTestId('approve-request').click();
  await admin.getByText(/approved/i).first().waitFor();

  // Alice makes the app's key: shown once, in the key format.
  await alice.goto('/apps');
  await alice.getByTestId('app-row').filter({ hasText: 'Checkout' }).getByRole('link', { name: 'Checkout' }).click();
  await alice.getByTestId('request-row').filter({ hasText: 'approved' }).waitFor();
  await alice.getByTestId('create-key').click();
  const secret = await alice.getByTestId('new-key-secret').inputValue();
  assert.match(secret, /^ptc_[0-9A-Za-z]{38}$/);
  await screenshot(alice, 'key-shown-once');
  await alice.getByTestId('key-done').click();
  await alice.reload();
  await alice.getByTestId('key-row').first().waitFor();
  assert.ok(!(await alice.content()).includes(secret), 'never shown again');

  // Bert, a teammate, sees the shared app and makes his own key.
  await bert.goto('/apps');
  await bert.getByTestId('app-row').filter({ hasText: 'Checkout' }).getByRole('link', { name: 'Checkout' }).click();
  await bert.getByTestId('shared-note').waitFor();
  await bert.getByTestId('create-key').click();
  const bertsKey = await bert.getByTestId('new-key-secret').inputValue();
  assert.notEqual(bertsKey, secret);
  await bert.getByTestId('key-done').click();
  await bert.locator('[data-testid="key-row"]').nth(1).waitFor();
  assert.equal(await bert.getByTestId('key-row').count(), 2);

  // Rotate one with a day's grace: a new key, the old one still works until then.
  await bert.getByTestId('key-row').first().getByTestId('rotate-key').click();
  await bert.getByTestId('grace-hours').selectOption('24');
  await bert.getByTestId('confirm-rotate').click();
  const rotated = await bert.getByTestId('new-key-secret').inputValue();
  assert.match(rotated, /^ptc_/);
  await bert.getByTestId('key-done').click();
  await bert.locator('[data-testid="key-row"][data-status="expiring"]').waitFor();
  assert.equal(await bert.getByTestId('key-row').count(), 3);
  // Revoke the newest: it stops at once.
  await bert.locator('[data-testid="key-row"][data-status="active"]').first().getByTestId('revoke-key').click();
  await bert.getByTestId('confirm-revoke').click();
  await bert.locator('[data-testid="key-row"][data-status="revoked"]').waitFor();
  await screenshot(bert, 'app-keys');

  alice.assertNoErrors();
  bert.assertNoErrors();
  admin.assertNoErrors();
  outsider.assertNoErrors();
});

async function signUpHere(page, first, email) {
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill('Tester');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('team-member-1');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/dashboard');
}
