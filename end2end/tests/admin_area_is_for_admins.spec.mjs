// A developer cannot open the Admin area (the server refuses); the first admin can.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signUp, signIn, screenshot, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a developer who opens /admin is refused by the server', async () => {
  const page = await newPage(browser);
  await signUp(page, { first: 'Dev', last: 'Eloper', email: uniqueEmail('dev'), password: 'developer-pass' });
  await page.waitForURL('**/dashboard');
  await page.goto('/admin');
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  assert.equal(await page.getByTestId('admin-stats').count(), 0);
  await screenshot(page, 'admin-refused');
  page.assertNoErrors();
});

test('a visitor who opens /admin is sent to sign in', async () => {
  const page = await newPage(browser);
  await page.goto('/admin');
  await page.waitForURL('**/sign-in');
  page.assertNoErrors();
});

test('the first admin signs in and sees the admin area with the newest users', async () => {
  const dev = await newPage(browser);
  const email = uniqueEmail('newest');
  await signUp(dev, { first: 'Newest', last: 'Member', email, password: 'newest-member' });
  await dev.waitForURL('**/dashboard');

  const page = await newPage(browser);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.waitForURL('**/admin');
  await page.getByTestId('admin-stats').waitFor();
  await page.getByRole('link', { name: 'Admin', exact: true }).waitFor();
  await page.getByRole('cell', { name: new RegExp(email) }).waitFor();
  await screenshot(page, 'admin-home');
  page.assertNoErrors();
});
