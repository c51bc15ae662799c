// A developer registers an organisation, an admin approves it, its new super admin
// invites a teammate who registers from the emailed link, and both see the same
// organisation; the teammate cannot invite anyone. Then an admin's invite code places
// a new sign-up in the code's team.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openBrowser, newPage, adminPage, signUp, screenshot, uniqueEmail, linkFromOutbox,
} from '../support.mjs';

let browser;
before(async () => { browser = await openBrowser(); });
after(async () => { await browser?.close(); });

test('a developer creates an organisation, gets it approved and invites a teammate', async () => {
  const founderEmail = uniqueEmail('founder');
  const orgName = `Initech ${Date.now()}`;
  const founder = await newPage(browser);
  await signUp(founder, { first: 'Peter', last: 'Gibbons', email: founderEmail, password: 'tps-reports-1' });
  await founder.waitForURL('**/dashboard');
  await founder.getByTestId('create-org-link').click();
  await founder.waitForURL('**/organisation');
  await founder.getByLabel('Organisation name').fill(orgName);
  await founder.getByRole('button', { name: 'Create organisation' }).click();
  await founder.getByTestId('org-request-pending').waitFor();
  await screenshot(founder, 'organisation-request-pending');

  // The admin sees the request, with who made it, and approves it.
  const admin = await adminPage(browser);
  await admin.goto('/admin/organisations');
  await admin.getByTestId('pending-orgs-count').waitFor();
  await admin.getByRole('link', { name: orgName }).click();
  assert.match(await admin.getByTestId('org-requester').innerText(), new RegExp(founderEmail));
  await screenshot(admin, 'admin-organisation-pending');
  await admin.getByRole('button', { name: 'Approve organisation' }).click();
  await admin.getByText(/Organisation approved/).first().waitFor();
  await linkFromOutbox(admin, founderEmail, 'is approved');

  // The founder is its super admin now and invites a teammate.
  await founder.reload();
  await founder.getByTestId('my-org-name').filter({ hasText: orgName }).waitFor();
  assert.equal(await founder.getByTestId('my-org-role').innerText(), 'super admin');
  const mateEmail = uniqueEmail('mate');
  await founder.getByLabel('First name').fill('Milton');
  await founder.getByLabel('Last name').fill('Waddams');
  await founder.getByLabel('Email').fill(mateEmail);
  await founder.getByRole('button', { name: 'Send invitation' }).click();
  await founder.getByText(`Invitation sent to ${mateEmail}`).first().waitFor();
  await founder.getByTestId('invitation-row').filter({ hasText: mateEmail }).waitFor();
  await screenshot(founder, 'my-organisation-super-admin');

  // The teammate registers from the link in the mail and lands in the organisation.
  const link = await linkFromOutbox(admin, mateEmail, `Join ${orgName}`);
  const mate = await newPage(browser);
  await mate.goto(link);
  await mate.getByLabel('Password').fill('red-stapler-1');
  await mate.getByRole('button', { name: 'Create account' }).click();
  await mate.waitForURL('**/dashboard');
  await mate.goto('/organisation');
  await mate.getByTestId('my-org-name').filter({ hasText: orgName }).waitFor();
  assert.equal(await mate.getByTestId('my-org-role').innerText(), 'team member');
  const members = mate.getByTestId('my-member-row');
  await members.filter({ hasText: founderEmail }).waitFor();
  await members.filter({ hasText: mateEmail }).waitFor();
  // A team member reads; the invite form and member actions are not there.
  await mate.getByTestId('member-note').waitFor();
  assert.equal(await mate.getByTestId('invite-teammate').count(), 0);
  assert.equal(await mate.getByRole('button', { name: 'Edit' }).count(), 0);
  await screenshot(mate, 'my-organisation-team-member');

  // The founder's list shows the teammate too.
  await founder.reload();
  await founder.getByTestId('my-member-row').filter({ hasText: mateEmail }).waitFor();
  founder.assertNoErrors();
  mate.assertNoErrors();
  admin.assertNoErrors();
});

test('signing up with an invite code lands in the code\'s team', async () => {
  const admin = await adminPage(browser);
  const orgName = `Hooli ${Date.now()}`;
  await admin.goto('/admin/organisations');
  await admin.getByLabel('Name', { exact: true }).fill(orgName);
  await admin.getByRole('button', { name: 'Create organisation' }).click();
  await admin.getByTestId('org-name').filter({ hasText: orgName }).waitFor();
  await admin.getByLabel('New team').fill('Nucleus');
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByLabel('Name of team Nucleus').waitFor();
  await admin.getByTestId('invite-codes').getByLabel('Team').selectOption({ label: 'Nucleus' });
  await admin.getByLabel('Use limit').fill('1');
  await admin.getByRole('button', { name: 'Create invite code' }).click();
  const code = (await admin.getByTestId('new-invite-code').innerText()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await admin.getByTestId('invite-code-row').filter({ hasText: '0 of 1 used' }).waitFor();
  await screenshot(admin, 'admin-invite-codes');

  const email = uniqueEmail('coded');
  const dev = await newPage(browser);
  await dev.goto(`/sign-up?code=${code}`);
  assert.equal(await dev.getByLabel('Invite code (optional)').inputValue(), code, 'prefilled from the link');
  await dev.getByLabel('First name').fill('Gavin');
  await dev.getByLabel('Last name').fill('Belson');
  await dev.getByLabel('Email').fill(email);
  await dev.getByLabel('Password').fill('box-three-1');
  await screenshot(dev, 'sign-up-with-invite-code');
  await dev.getByRole('button', { name: 'Create account' }).click();
  await dev.waitForURL('**/dashboard');
  await dev.goto('/organisation');
  await dev.getByTestId('my-org-name').filter({ hasText: orgName }).waitFor();
  await dev.getByTestId('my-member-row').filter({ hasText: email }).filter({ hasText: 'Nucleus' }).waitFor();

  // Used up: the next sign-up with it is refused with a message on the field.
  const late = await newPage(browser);
  await late.goto(`/sign-up?code=${code}`);
  await late.getByLabel('First name').fill('Late');
  await late.getByLabel('Last name').fill('Comer');
  await late.getByLabel('Email').fill(uniqueEmail('late'));
  await late.getByLabel('Password').fill('too-late-1');
  await late.getByRole('button', { name: 'Create account' }).click();
  await late.getByText('This invite code is not valid, has expired or is used up.').waitFor();
  dev.assertNoErrors();
  admin.assertNoErrors();
});
