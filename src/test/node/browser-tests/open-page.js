// Opens one page and reports what a person would see first: the title and the start of the text.
// Env: URL; WAIT_FOR (optional CSS selector that must appear).
'use strict';

const { run, required } = require('./lib/browser');

run(async (page) => {
  await page.goto(required('URL'), { waitUntil: 'load' });
  if (process.env.WAIT_FOR) {
    await page.waitForSelector(process.env.WAIT_FOR);
  }
  return { title: await page.title(), text: (await page.innerText('body')).slice(0, 2000) };
});
