// A new user signs up, sees the Dashboard, signs out, and signs in again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signUp, signIn, signOut, screenshot } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('the sign-up form checks input as it is typed, with the same rules as the server', async () => {
  const page = await newPage(browser);
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Password').blur();
  await page.getByLabel('First name').focus();
  await page.getByLabel('Email').blur();
  await assert.doesNotReject(page.getByText('Enter an email address like name@example.com.').waitFor());
  await assert.doesNotReject(page.getByText('Use at least 8 characters.').waitFor());
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Create account' }).click();
  await assert.doesNotReject(page.getByText('This field is required.').first().waitFor());
  await screenshot(page, 'sign-up-validation');
  assert.match(page.url(), /\/sign-up$/, 'nothing was submitted');
  page.assertNoErrors();
});

test('a new user signs up, sees the dashboard, signs out and signs in again', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('ada');
  await signUp(page, { first: 'Ada', last: 'Lovelace', email, password: 'analytical-engine' });
  await page.waitForURL('**/dashboard');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByText('Welcome, Ada.').waitFor();
  assert.equal(await page.getByText(email).first().isVisible(), true);
  assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0, 'developers see no Admin link');
  await screenshot(page, 'dashboard');

  // Reloading keeps the session (server-side, cookie).
  await page.reload();
  await page.getByText('Welcome, Ada.').waitFor();

  await signOut(page);
  await page.goto('/dashboard');
  await page.waitForURL('**/sign-in');

  await signIn(page, email, 'wrong-password');
  await page.getByTestId('form-error').waitFor();
  assert.equal(await page.getByTestId('form-error').innerText(), 'The email or password is not correct.');

  await signIn(page, email, 'analytical-engine');
  await page.waitForURL('**/dashboard');
  await page.getByText('Welcome, Ada.').waitFor();
  page.assertNoErrors();
});

test('signing up twice with one address says so', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('twice');
  await signUp(page, { first: 'Grace', last: 'Hopper', email, password: 'cobol-forever' });
  await page.waitForURL('**/dashboard');
  await signOut(page);
  await signUp(page, { first: 'Grace', last: 'Hopper', email, password: 'cobol-forever' });
  await page.getByTestId('form-error').waitFor();
  assert.match(await page.getByTestId('form-error').innerText(), /already exists/);
  await screenshot(page, 'sign-up-duplicate');
  page.assertNoErrors();
});
