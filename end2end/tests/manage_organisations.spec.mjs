// An admin creates an organisation (its default team comes with it), finds it by
// typing part of its name, manages its teams and deactivates it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openBrowser, adminPage, screenshot, newPage, signUp, signIn, signOut, uniqueEmail,
} from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('an admin creates an organisation and manages its teams', async () => {
  const admin = await adminPage(browser);
  const name = `Acme ${Date.now()}`;
  await admin.getByRole('link', { name: 'Organisations' }).click();
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByRole('button', { name: 'Create organisation' }).click();
  await admin.getByTestId('org-name').filter({ hasText: name }).waitFor();
  const teams = admin.getByTestId('team-item');
  assert.equal(await teams.count(), 1, 'a default team comes with it');
  assert.match(await teams.first().innerText(), /default team/);

  await admin.getByLabel('New team').fill('Ops');
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByText('Team created.').first().waitFor();
  await admin.getByLabel('Name of team Ops').waitFor();
  assert.equal(await teams.count(), 2);
  await admin.getByLabel('Name of team Ops').fill('Operations');
  await admin.getByTestId('team-item').filter({ has: admin.getByLabel('Name of team Ops') })
    .getByRole('button', { name: 'Save' }).click();
  await admin.getByLabel('Name of team Operations').waitFor();
  await screenshot(admin, 'admin-organisation');
  await admin.getByTestId('team-item').filter({ has: admin.getByLabel('Name of team Operations') })
    .getByRole('button', { name: 'Delete' }).click();
  await admin.getByText(/Team deleted/).first().waitFor();
  await admin.getByLabel('Name of team Operations').waitFor({ state: 'detached' });

  await admin.getByRole('button', { name: 'Deactivate organisation' }).click();
  await admin.getByText('Members of an inactive organisation cannot sign in.').waitFor();
  await admin.getByRole('button', { name: 'Activate organisation' }).click();
  await admin.getByRole('button', { name: 'Deactivate organisation' }).waitFor();

  // Live search in the list.
  await admin.getByRole('link', { name: '← All organisations' }).click();
  await admin.getByLabel('Search').fill(name.slice(0, 10).toLowerCase());
  await admin.getByTestId('org-row').filter({ hasText: name }).waitFor();
  await admin.getByLabel('Search').fill('no such organisation at all');
  await admin.getByText('No organisations match').waitFor();
  await screenshot(admin, 'admin-organisations');
  admin.assertNoErrors();
});

test('an admin moves a developer into an organisation; deactivating it stops their sign-in', async () => {
  const dev = await newPage(browser);
  const email = uniqueEmail('mover');
  await signUp(dev, { first: 'Mo', last: 'Ver', email, password: 'mover-password' });
  await dev.waitForURL('**/dashboard');
  await signOut(dev);

  const admin = await adminPage(browser);
  const name = `Globex ${Date.now()}`;
  await admin.goto('/admin/organisations');
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByRole('button', { name: 'Create organisation' }).click();
  await admin.getByTestId('org-name').filter({ hasText: name }).waitFor();
  await admin.getByLabel('New team').fill('Ops');
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByLabel('Name of team Ops').waitFor();
  const orgUrl = admin.url();

  await admin.goto('/admin/users');
  const row = admin.getByTestId('user-row').filter({ hasText: email });
  await row.getByRole('button', { name: 'Organisation…' }).click();
  await admin.getByLabel('Organisation for Mo Ver').selectOption({ label: name });
  await admin.getByTestId('assign-form').getByText('Ops').click();
  await admin.getByLabel('Role').selectOption('super_admin');
  await screenshot(admin, 'admin-assign-user');
  await admin.getByRole('button', { name: 'Move user' }).click();
  await admin.getByTestId('user-row').filter({ hasText: email }).filter({ hasText: name }).waitFor();

  await admin.goto(orgUrl);
  const member = admin.getByTestId('member-row').filter({ hasText: email });
  await member.waitFor();
  assert.match(await member.innerText(), /super admin/);
  assert.equal(await member.getByLabel('Ops').isChecked(), true);
  assert.equal(await member.getByLabel('Default team').isChecked(), true);

  await admin.getByRole('button', { name: 'Deactivate organisation' }).click();
  await admin.getByText('Members of an inactive organisation cannot sign in.').waitFor();
  await signIn(dev, email, 'mover-password');
  await dev.getByTestId('form-error').waitFor();
  assert.match(await dev.getByTestId('form-error').innerText(), /cannot sign in/);

  await admin.getByRole('button', { name: 'Activate organisation' }).click();
  await admin.getByRole('button', { name: 'Deactivate organisation' }).waitFor();
  await signIn(dev, email, 'mover-password');
  await dev.waitForURL('**/dashboard');
  assert.match(await dev.getByText(name).first().innerText(), new RegExp(name));
  admin.assertNoErrors();
});
