// With "auto-approve developer registrations" off, a new account waits for approval.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signUp, signIn, screenshot, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

async function setAutoApprove(page, on) {
  const box = page.getByLabel('Auto-approve developer registrations');
  await box.waitFor();
  if ((await box.isChecked()) !== on) await box.click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
}

test('an admin requires approval; a new sign-up is pending and cannot sign in', async () => {
  const admin = await newPage(browser);
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await admin.waitForURL('**/admin');
  await setAutoApprove(admin, false);
  try {
    const page = await newPage(browser);
    const email = uniqueEmail('pending');
    await signUp(page, { first: 'Pat', last: 'Pending', email, password: 'pending-password' });
    await page.getByTestId('pending-approval').waitFor();
    assert.match(await page.getByTestId('pending-approval').innerText(), /waiting for an administrator's approval/);
    await screenshot(page, 'sign-up-pending');

    await signIn(page, email, 'pending-password');
    await page.getByTestId('form-error').waitFor();
    assert.match(await page.getByTestId('form-error').innerText(), /waiting for an administrator's approval/);
    assert.match(page.url(), /\/sign-in$/);

    // The admin sees the account waiting.
    await admin.reload();
    await admin.getByRole('cell', { name: new RegExp(email) }).waitFor();
    const row = admin.getByRole('row', { name: new RegExp(email) });
    assert.match(await row.innerText(), /pending/);
    page.assertNoErrors();
  } finally {
    await admin.reload();
    await setAutoApprove(admin, true);
  }
  admin.assertNoErrors();
});
