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
  // Every /graphql call, and whether it carried a token: without one it must be refused, with one answered.
  const graphql = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('/graphql')) {
      const withToken = Boolean(response.request().headers().authorization);
      graphql.push({ withToken, status: response.status() });
    }
  });

  await page.goto(base + '/graphiql', { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');

  // With the token, GraphiQL fetches the schema again: wait for that as a person waits for the docs to fill.
  const introspectionWithToken = page.waitForResponse((response) => response.url().endsWith('/graphql')
    && Boolean(response.request().headers().authorization)
    && (response.request().postData() || '').includes('IntrospectionQuery'));
  await page.fill('#token', token);
  await page.click('#use-token');
  await introspectionWithToken;
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
