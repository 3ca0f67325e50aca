// Signs in to sfcache's Hawtio as an operator (at the identity provider, through the OIDC redirect), clicks to the
// Camel routes view and reads the routes table as a person sees it: each route's name, state and counters.
// Env: BASE_URL (http://127.0.0.1:<port>), HAWTIO_USER, HAWTIO_PASSWORD.
'use strict';

const { run, required } = require('./lib/browser');
const { signIn } = require('./lib/hawtio');

run(async (page) => {
  const base = required('BASE_URL');
  // Jolokia calls the console makes after sign-in, and how they were answered.
  const jolokia = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.includes('/jolokia')) {
      jolokia.push(response.status());
    }
  });

  const signedIn = await signIn(page, base, required('HAWTIO_USER'), required('HAWTIO_PASSWORD'));
  await page.waitForURL('**/actuator/hawtio/**');

  // No URL selects a tree node: click Camel in the navigation, then the context's "routes" folder.
  await page.getByRole('link', { name: 'Camel', exact: true }).click();
  await page.locator('[role=treeitem][id$="-routes-folder"]').getByText('routes', { exact: true }).first().click();
  await page.waitForSelector('table th:has-text("Total")');
  await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 0);

  const headers = await page.$$eval('table thead th', (cells) => cells.map((c) => c.textContent.trim()));
  const routes = await page.$$eval('table tbody tr', (rows) => rows.map((row) =>
    Array.from(row.querySelectorAll('td')).map((cell) => cell.innerText.trim())));
  const byHeader = routes.map((cells) => Object.fromEntries(headers.map((h, i) => [h, cells[i]]).filter(([h]) => h)));
  return { ...signedIn, url: page.url(), headers, routes: byHeader, jolokia };
});
