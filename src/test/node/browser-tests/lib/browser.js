// Shared plumbing for sfcache's browser scripts, run by io.sfcache.browser.Chromium from JUnit:
// launches the OS's Chromium with a fresh profile, keeps pages off the network, and reports one JSON result.
'use strict';

const { chromium } = require('playwright-core');

// Flags that work on closed networks: without the background-networking ones Chromium keeps trying
// (and failing) to reach Google's services. --headless comes from `headless: true`.
const FLAGS = [
  '--no-sandbox', // runs as root in CI containers
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const RESULT_PREFIX = 'BROWSER_RESULT ';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set (io.sfcache.browser.Chromium sets it)`);
  }
  return value;
}

// Runs main(page, report) in a fresh headless Chromium where every request that leaves this machine is aborted
// and counted, so a page that needs the internet fails its test instead of silently working on a developer's
// laptop. Prints one line `BROWSER_RESULT {json}`: ok, what main returned, what was blocked, console errors,
// HTTP errors, and the screenshot path (taken at the end, and always when something failed).
async function run(main) {
  const report = { ok: false, blocked: [], consoleErrors: [], pageErrors: [], httpErrors: [] };
  const screenshot = process.env.SCREENSHOT_PATH;
  const timeout = Number(process.env.STEP_TIMEOUT_MS || 15000);
  let context;
  let page;
  try {
    context = await chromium.launchPersistentContext(required('CHROMIUM_USER_DATA_DIR'), {
      executablePath: required('CHROMIUM_PATH'),
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(timeout);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname)) {
        return route.continue();
      }
      report.blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') {
        report.consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => report.pageErrors.push(String(error)));
    page.on('response', (response) => {
      if (response.status() >= 400) {
        report.httpErrors.push({ url: response.url(), status: response.status() });
      }
    });
    Object.assign(report, await main(page, report) || {});
    report.ok = true;
  } catch (error) {
    report.error = String(error && error.stack || error);
  }
  if (page && screenshot) {
    try {
      await page.screenshot({ path: screenshot, fullPage: true });
      report.screenshot = screenshot;
    } catch (error) {
      report.screenshotError = String(error);
    }
  }
  if (context) {
    await context.close().catch(() => {});
  }
  process.stdout.write(RESULT_PREFIX + JSON.stringify(report) + '\n');
}

module.exports = { run, required, FLAGS };
