// With "auto-approve developer registrations" off, a new account waits for approval;
// an admin approves it (or rejects it) from Admin → Users and the user is told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openBrowser, newPage, uniqueEmail, signUp, signIn, screenshot, adminPage, setAutoApprove, linkFromOutbox,
} from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a pending sign-up cannot sign in until an admin approves it', async () => {
  const admin = await adminPage(browser);
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

    // The admin sees the account first in Admin → Users, and approves it.
    await admin.goto('/admin/users');
    const row = admin.getByRole('row', { name: new RegExp(email) });
    await row.waitFor();
    assert.match(await row.innerText(), /pending/i);
    await screenshot(admin, 'admin-users-pending');
    await row.getByRole('button', { name: 'Approve' }).click();
    await admin.getByRole('row', { name: new RegExp(email) }).getByRole('button', { name: 'Deactivate' }).waitFor();

    // The user got the "approved" mail, and can sign in.
    const link = await linkFromOutbox(admin, email, 'approved');
    assert.match(link, /\/sign-in$/);
    await signIn(page, email, 'pending-password');
    await page.waitForURL('**/dashboard');
    page.assertNoErrors();
  } finally {
    await setAutoApprove(admin, true);
  }
  admin.assertNoErrors();
});

test('a rejected sign-up is told why and cannot sign in', async () => {
  const admin = await adminPage(browser);
  await setAutoApprove(admin, false);
  try {
    const page = await newPage(browser);
    const email = uniqueEmail('rejected');
    await signUp(page, { first: 'Rex', last: 'Rejected', email, password: 'rejected-password' });
    await page.getByTestId('pending-approval').waitFor();

    await admin.goto('/admin/users');
    const row = admin.getByRole('row', { name: new RegExp(email) });
    await row.getByRole('button', { name: 'Reject' }).click();
    await admin.getByLabel(/reason/i).fill('We could not verify your company.');
    await admin.getByRole('button', { name: /confirm|reject user/i }).click();
    // The email itself says "rejected": wait for the status badge, not any text.
    await admin.getByRole('row', { name: new RegExp(email) }).locator('.badge-rejected').waitFor();

    await admin.goto('/admin/outbox');
    await admin.getByTestId('outbox-row').filter({ hasText: email }).first().click();
    assert.match(await admin.getByTestId('mail-text').innerText(), /could not verify your company/);

    await signIn(page, email, 'rejected-password');
    await page.getByTestId('form-error').waitFor();
    assert.match(await page.getByTestId('form-error').innerText(), /cannot sign in/);
  } finally {
    await setAutoApprove(admin, true);
  }
});
