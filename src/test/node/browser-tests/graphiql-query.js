// Opens sfcache's GraphiQL, enters a bearer token in its token bar as a person would, runs a query and waits
// until the result pane shows the expected text.
// Env: BASE_URL (http://127.0.0.1:<port>), TOKEN, QUERY, EXPECT (text the result pane must show).
'use strict';

const { run, required } = require('./lib/browser');

run(async (page) => {
  const base = required('BASE_URL');
  const token = required('TOKEN');
  const query = required('QUERY');
  const expect = required('EXPECT');
  const graphql = [];
  let phase = 'before-token';
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('/graphql')) {
      graphql.push({ phase, status: response.status() });
    }
  });

  // Without a token the page's first schema introspection is refused (401): wait for it, so that every
  // /graphql response after this point belongs to the token entered below.
  const refusedIntrospection = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/graphql'));
  await page.goto(base + '/graphiql', { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  await refusedIntrospection;

  phase = 'after-token';
  await page.fill('#token', token);
  await page.click('#use-token');
  await page.waitForFunction(() => document.getElementById('token-status').textContent.includes('left'));
  const tokenStatus = await page.textContent('#token-status');

  // CodeMirror 5 keeps its editor on the wrapper element: set the text through it, not by typing, so that
  // auto-closed brackets and completion pop-ups cannot change the query.
  await page.evaluate((text) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
  }, query);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    (text) => (document.querySelector('.result-window') || {}).innerText?.includes(text), expect);
  const resultText = await page.innerText('.result-window');

  return { tokenStatus, resultText, graphql };
});
