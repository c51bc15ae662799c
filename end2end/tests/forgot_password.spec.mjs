// Forgot password → link from the outbox → new password → the old one is refused,
// the new one works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signUp, signIn, signOut, screenshot, adminPage, linkFromOutbox } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a developer resets a forgotten password from the emailed link', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('forgetful');
  await signUp(page, { first: 'Fern', last: 'Forgetful', email, password: 'first-password' });
  await page.waitForURL('**/dashboard');
  await signOut(page);

  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.getByTestId('reset-sent').waitFor();

  const admin = await adminPage(browser);
  let link;
  for (let i = 0; i < 20 && !link; i++) {
    try { link = await linkFromOutbox(admin, email, 'Reset'); } catch { await admin.waitForTimeout(250); }
  }
  assert.ok(link, 'the reset mail arrived in the outbox');
  assert.match(link, /\/auth\/reset\/code\?token=[0-9a-f]{32}$/);

  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('second-password');
  await page.getByLabel('Repeat the new password').fill('second-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByTestId('reset-done').waitFor();
  await screenshot(page, 'reset-done');
  await page.getByRole('link', { name: 'Sign in again' }).click();

  await signIn(page, email, 'first-password');
  await page.getByTestId('form-error').waitFor();
  await signIn(page, email, 'second-password');
  await page.waitForURL('**/dashboard');

  // The link was single-use.
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('third-password');
  await page.getByLabel('Repeat the new password').fill('third-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByTestId('form-error').waitFor();
  page.assertNoErrors();
});
