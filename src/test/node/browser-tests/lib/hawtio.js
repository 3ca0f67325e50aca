// Signing in to sfcache's Hawtio as a person does: open the console, get sent to the identity provider's login form
// (OIDC), fill it in, and be sent back. Shared by hawtio-routes.js and hawtio-sign-in.js.
'use strict';

// Returns where the login form was (URL), every main-frame navigation on the way back with its HTTP status, and the
// status of the page the person lands on.
async function signIn(page, base, user, password) {
  const navigations = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      navigations.push({ url: response.url(), status: response.status() });
    }
  });
  await page.goto(base + '/actuator/hawtio/', { waitUntil: 'load' });
  const loginPage = page.url();
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  // Back at the console, signed in, whether it lets the person in or not.
  const [landing] = await Promise.all([
    page.waitForResponse((response) => response.request().isNavigationRequest()
      && new URL(response.url()).pathname === '/actuator/hawtio/'
      && response.url().startsWith(base)),
    page.click('button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
  return { loginPage, navigations, landingStatus: landing.status() };
}

module.exports = { signIn };
