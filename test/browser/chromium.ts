import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium package (`.ci/run` installs it); playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium (playwright passes `--headless`, the new headless mode
 * of current Chromium). No sandbox: CI runs as root in a container, where the
 * sandbox cannot start. The rest keeps the browser from reaching the network
 * on its own (updates, sync, field trials) so only the test's requests go out.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page reported that it should not. */
export interface PageProblems {
  /** CSP violations: Chromium reports each as a console error ("Refused to ... Content Security Policy"). */
  csp: string[];
  /** Other console errors (Chromium's "Failed to load resource" lines are left out: `badResponses` has them, with the document's own status allowed). */
  console: string[];
  /** Uncaught errors in the page (there is no script: any is a surprise). */
  errors: string[];
  /** Subresource requests that failed, were blocked, or were answered 4xx/5xx. */
  failedRequests: string[];
}

/** A fresh context (no cookies, no cache) with one page, watched for CSP violations, console errors and failed requests. */
export async function openPage(
  browser: Browser,
  viewport = { width: 960, height: 600 },
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: PageProblems = { csp: [], console: [], errors: [], failedRequests: [] };
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) problems.csp.push(text);
    else if (message.type() === 'error' && !text.startsWith('Failed to load resource'))
      problems.console.push(text);
  });
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('requestfailed', (request) => {
    // A navigation replaced by the next one is "aborted" without anything being wrong.
    if (request.resourceType() !== 'document') {
      problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  page.on('response', (response) => {
    // An error page is a document with an error status on purpose; its stylesheet and icon are not.
    if (response.request().resourceType() !== 'document' && response.status() >= 400) {
      problems.failedRequests.push(`${response.url()}: ${response.status()}`);
    }
  });
  return { context, page, problems };
}
