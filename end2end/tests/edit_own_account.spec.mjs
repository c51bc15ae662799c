// A developer edits their names, changes their email (confirmed by the link sent to
// the new address) and changes their password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signUp, signIn, signOut, screenshot, adminPage, linkFromOutbox } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a developer edits their profile, email and password', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('self');
  await signUp(page, { first: 'Sal', last: 'Self', email, password: 'self-password' });
  await page.waitForURL('**/dashboard');
  await page.getByRole('link', { name: /Sal Self/ }).click();
  await page.waitForURL('**/account');

  await page.getByLabel('First name').fill('Sally');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved.').first().waitFor();
  await page.getByRole('link', { name: /Sally Self/ }).waitFor();

  const newEmail = uniqueEmail('self-new');
  await page.getByLabel('New email address').fill(newEmail);
  await page.getByRole('button', { name: 'Send confirmation link' }).click();
  await page.getByTestId('email-change-sent').waitFor();
  await screenshot(page, 'account');

  const admin = await adminPage(browser);
  const link = await linkFromOutbox(admin, newEmail, 'Confirm');
  await page.goto(link);
  await page.getByTestId('email-confirmed').waitFor();
  assert.match(await page.getByTestId('email-confirmed').innerText(), new RegExp(newEmail.replace(/[.+]/g, '\\$&')));

  await page.goto('/account');
  await page.getByLabel('Current password').fill('wrong-password');
  await page.getByLabel('New password').fill('self-password-2');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('The current password is not correct.').waitFor();
  await page.getByLabel('Current password').fill('self-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText(/Password changed/).first().waitFor();

  await signOut(page);
  await signIn(page, newEmail, 'self-password-2');
  await page.waitForURL('**/dashboard');
  page.assertNoErrors();
});
