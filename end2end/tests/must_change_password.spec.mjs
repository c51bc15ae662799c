// An admin adds a user with a password and "must change password": after signing in,
// the user can do nothing but choose a new one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signIn, screenshot, adminPage } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a user whose password an admin set must change it first', async () => {
  const admin = await adminPage(browser);
  const email = uniqueEmail('temp');
  await admin.goto('/admin/users');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByLabel('First name', { exact: true }).fill('Tess');
  await admin.getByLabel('Last name', { exact: true }).fill('Temporary');
  await admin.getByLabel('Email', { exact: true }).fill(email);
  await admin.getByLabel('Set a password now').check();
  await admin.getByLabel('Password', { exact: true }).fill('temporary-password');
  await admin.getByLabel('Must change password at next sign-in').check();
  await admin.getByRole('button', { name: /create user|add user|create/i }).last().click();
  await admin.getByText(new RegExp(`User .*${email.replace(/[.+]/g, '\\$&')}.* created|created`)).first().waitFor();

  const page = await newPage(browser);
  await signIn(page, email, 'temporary-password');
  await page.waitForURL('**/account/password');
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await screenshot(page, 'must-change-password');
  // Nothing else is reachable.
  await page.goto('/dashboard');
  await page.waitForURL('**/account/password');

  await page.getByLabel('Current password').fill('temporary-password');
  await page.getByLabel('New password').fill('tess-own-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByText('Welcome, Tess.').waitFor();
  assert.ok(true);
  page.assertNoErrors();
});
