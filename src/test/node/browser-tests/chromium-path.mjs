// Prints the path of the headless Chromium that @sparticuz/chromium carries inside its npm package, unpacking it on
// first use (to the OS temp directory). io.sfcache.browser.Chromium runs this when the OS has no Chromium, so the
// browser tests need nothing the build cannot fetch from the npm registry.
import chromium from '@sparticuz/chromium';

console.log(await chromium.executablePath());
