// Signs in to sfcache's Hawtio (at the identity provider, through the OIDC redirect) and reports where the person
// lands: the URL, its HTTP status and the text on the page. For people Hawtio must refuse.
// Env: BASE_URL (http://127.0.0.1:<port>), HAWTIO_USER, HAWTIO_PASSWORD.
'use strict';

const { run, required } = require('./lib/browser');
const { signIn } = require('./lib/hawtio');

run(async (page) => {
  const signedIn = await signIn(page, required('BASE_URL'), required('HAWTIO_USER'), required('HAWTIO_PASSWORD'));
  return { ...signedIn, url: page.url(), text: (await page.innerText('body')).slice(0, 2000) };
});
