// An admin invites someone by email; the invitee opens the link from the outbox,
// registers, and signs in. The link works once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, newPage, uniqueEmail, signIn, signOut, screenshot, adminPage, linkFromOutbox } from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('admin invites by email, the invitee registers from the link and signs in', async () => {
  const admin = await adminPage(browser);
  const email = uniqueEmail('invitee');
  await admin.goto('/admin/users');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByLabel('First name', { exact: true }).fill('Ivy');
  await admin.getByLabel('Last name', { exact: true }).fill('Invitee');
  await admin.getByLabel('Email', { exact: true }).fill(email);
  await admin.getByLabel('Send an invitation email').check();
  await screenshot(admin, 'admin-add-user');
  await admin.getByRole('button', { name: /send invitation|add user|create/i }).last().click();
  await admin.getByText(`Invitation sent to ${email}`).first().waitFor();
  // It is listed as pending.
  await admin.getByText(email).first().waitFor();

  const link = await linkFromOutbox(admin, email, 'invited');
  assert.match(link, /\/auth\/invite\?token=[0-9a-f]{32}$/);
  await screenshot(admin, 'admin-outbox-invite');
  if (process.env.E2E_SMTP === '1') {
    // With SMTP configured the same mail is delivered in the background: it turns "sent".
    for (let i = 0; i < 40; i++) {
      await admin.getByRole('button', { name: 'Refresh' }).click();
      const row = admin.getByTestId('outbox-row').filter({ hasText: email }).first();
      if (/sent/i.test(await row.innerText())) break;
      await admin.waitForTimeout(250);
    }
    assert.match(await admin.getByTestId('outbox-row').filter({ hasText: email }).first().innerText(), /sent/i);
  }

  const page = await newPage(browser);
  await page.goto(link);
  assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email, 'prefilled');
  assert.equal(await page.getByLabel('First name').inputValue(), 'Ivy');
  await page.getByLabel('Password').fill('ivy-chose-this');
  await screenshot(page, 'invitation-register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByText('Welcome, Ivy.').waitFor();
  await signOut(page);
  await signIn(page, email, 'ivy-chose-this');
  await page.waitForURL('**/dashboard');

  // The link is single-use.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByTestId('invitation-invalid').waitFor();
  page.assertNoErrors();
  admin.assertNoErrors();
});
