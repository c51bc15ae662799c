// An admin's daily work on one developer: type part of a name and see them appear (no
// Enter, no reload), open the profile, edit fields and a custom attribute, find them by
// that attribute, deactivate (their key stops at the gateway at once) and reactivate
// (it works again), move their subscription to another plan, and finally delete them
// after reading exactly what goes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openBrowser, newPage, adminPage, signUp, screenshot, uniqueEmail, gatewayCall, publishInstantPlan, requestInstantKey,
} from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

/** Types into the search box one key at a time, as a person does. */
async function typeSearch(admin, text) {
  const box = admin.getByTestId('developer-search');
  await box.fill('');
  await box.pressSequentially(text, { delay: 30 });
}

test('an admin finds a developer as they type, edits, deactivates, reactivates and deletes them', async () => {
  const stamp = Date.now();
  const admin = await adminPage(browser);
  const published = await publishInstantPlan(admin, stamp, { quota: 1000 });
  // A second plan in the same catalog, to move the subscription to.
  await admin.locator('#plan_name').fill('Scale');
  await admin.locator('#rate_limit').fill('500');
  await admin.locator('#quota').fill('100000');
  await admin.getByTestId('create-plan').click();
  await admin.getByTestId('plan-row').filter({ hasText: 'Scale' }).waitFor();

  const email = uniqueEmail('zebulon');
  const last = `Quartermaine${stamp}`;
  const dev = await newPage(browser);
  await signUp(dev, { first: 'Zebulon', last, email, password: 'find-me-quickly' });
  await dev.waitForURL('**/dashboard');
  const key = await requestInstantKey(dev, published, 'Zeb app');
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 200);

  // Live search: part of the last name, typed, shows them without pressing Enter.
  await admin.goto('/admin/developers');
  await admin.getByTestId('user-row').first().waitFor();
  await typeSearch(admin, `termaine${String(stamp).slice(0, 6)}`);
  await admin.getByTestId('developer-count').filter({ hasText: /^1 developer$/ }).waitFor();
  await admin.getByTestId('user-row').filter({ hasText: email }).waitFor();
  assert.equal(await admin.getByTestId('user-row').count(), 1, 'only the match is listed');
  await screenshot(admin, 'admin-developers-search');
  // Nothing matches: a clear empty state.
  await typeSearch(admin, `nobody-${stamp}-xyz`);
  await admin.getByText('No developers match').waitFor();
  // By key prefix too (the first 12 characters the portal shows).
  await typeSearch(admin, key.slice(0, 12));
  await admin.getByTestId('developer-count').filter({ hasText: /^1 developer$/ }).waitFor();
  await admin.getByTestId('user-row').filter({ hasText: email }).waitFor();

  // The profile.
  await admin.getByTestId('user-row').filter({ hasText: email }).getByTestId('developer-link').click();
  await admin.getByTestId('developer-name').filter({ hasText: `Zebulon ${last}` }).waitFor();
  assert.match(await admin.getByTestId('developer-status-line').innerText(), /active · registered/);
  await admin.getByTestId('subscription-row').filter({ hasText: 'Zeb app' }).waitFor();

  // Edit fields: a username and a new first name; the key is untouched.
  await admin.getByLabel('First name').fill('Zeb');
  await admin.getByLabel('Username').fill(`zeb${stamp}`);
  await admin.getByTestId('save-developer').click();
  await admin.getByTestId('developer-name').filter({ hasText: `Zeb ${last}` }).waitFor();
  await admin.getByTestId('audit-entry').filter({ hasText: 'Zebulon' }).filter({ hasText: 'Zeb' }).first().waitFor();
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 200, 'editing never touches keys');
  // A bad username is refused beside the field, with the server's rule.
  await admin.getByLabel('Username').fill('no spaces allowed');
  await admin.getByTestId('save-developer').click();
  await admin.locator('#dev_username-error').filter({ hasText: /letters, digits/ }).waitFor();
  await admin.getByLabel('Username').fill(`zeb${stamp}`);

  // A custom attribute: add, then change its value in place.
  const crm = `crm-${stamp}`;
  await admin.locator('#attr_name').fill('crm_id');
  await admin.locator('#attr_value').fill(crm);
  await admin.getByTestId('add-attribute').click();
  await admin.getByTestId('attribute-row').filter({ hasText: crm }).waitFor();
  assert.equal(await admin.getByTestId('attribute-count').innerText(), '1 of 18');
  await admin.locator('#attr_name').fill('2fa');
  await admin.getByTestId('add-attribute').click();
  await admin.locator('#attr_name-error').filter({ hasText: /Start with a letter/ }).waitFor();
  const attr = admin.getByTestId('attribute-row').filter({ hasText: 'crm_id' });
  await attr.getByRole('button', { name: 'Edit' }).click();
  await attr.getByLabel('Value of crm_id').fill(`${crm}-v2`);
  await attr.getByRole('button', { name: 'Save' }).click();
  await admin.getByTestId('attribute-value').filter({ hasText: `${crm}-v2` }).waitFor();
  await screenshot(admin, 'admin-developer-profile');

  // Upgrade the subscription: the same key, the new plan.
  const sub = admin.getByTestId('subscription-row').filter({ hasText: 'Zeb app' });
  await sub.getByTestId('change-plan-select').selectOption({ index: 0 });
  await sub.getByTestId('change-plan').click();
  await admin.getByTestId('subscription-plan').filter({ hasText: 'Scale' }).waitFor();
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 200);

  // Deactivate: the key stops at the gateway at once; activate: it works again.
  await admin.getByTestId('deactivate-developer').click();
  await admin.getByTestId('developer-status').filter({ hasText: /^inactive$/ }).waitFor();
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 403, 'refused right after deactivation');
  await admin.getByTestId('activate-developer').click();
  await admin.getByTestId('developer-status').filter({ hasText: /^active$/ }).waitFor();
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 200, 'works again after reactivation');

  // The attribute finds them in the list.
  await admin.goto('/admin/developers');
  await typeSearch(admin, `${crm}-v2`);
  await admin.getByTestId('developer-count').filter({ hasText: /^1 developer$/ }).waitFor();
  await admin.getByTestId('user-row').filter({ hasText: email }).waitFor();

  // The audit log has it all.
  await admin.goto('/admin/audit');
  await admin.getByLabel('Target').fill(email);
  await admin.getByTestId('audit-entry').filter({ hasText: 'developer.deactivate' }).waitFor();
  await admin.getByTestId('audit-entry').filter({ hasText: 'subscription.change_plan' }).waitFor();
  await screenshot(admin, 'admin-audit-log');

  // Delete: the dialog lists what goes, asks for the email, and then it is gone.
  await admin.goto('/admin/developers');
  await typeSearch(admin, email);
  await admin.getByTestId('developer-count').filter({ hasText: /^1 developer$/ }).waitFor();
  await admin.getByTestId('user-row').filter({ hasText: email }).getByTestId('developer-link').click();
  await admin.getByTestId('delete-developer').click();
  const preview = admin.getByTestId('delete-preview');
  await preview.waitFor();
  assert.match(await admin.getByTestId('preview-apps').innerText(), /1 app: Zeb app/);
  assert.match(await admin.getByTestId('preview-keys').innerText(), /1 key revoked/);
  assert.equal(await admin.getByTestId('confirm-delete').isDisabled(), true, 'not before the email is typed');
  await admin.getByTestId('deactivate-instead').waitFor();
  await screenshot(admin, 'admin-developer-delete');
  await admin.getByTestId('delete-confirm').fill(email);
  await admin.getByTestId('confirm-delete').click();
  await admin.waitForURL('**/admin/developers');
  await admin.getByText(/was deleted/).first().waitFor();
  await typeSearch(admin, email);
  await admin.getByText('No developers match').waitFor();
  assert.equal(await gatewayCall(key, `${published.prefix}/now`), 401, 'the deleted developer’s key is revoked');

  admin.assertNoErrors();
  dev.assertNoErrors();
});
