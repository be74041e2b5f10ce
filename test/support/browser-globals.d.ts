/**
 * The browser globals that the console tests' page.evaluate callbacks use: those functions run in Chromium (Playwright
 * sends their source to the page), never in Node. Declared here, as narrowly as the callbacks use them, rather than by
 * adding the DOM library to tsconfig.tests.json: DOM's fetch, Response and BodyInit would replace Node's in every test
 * (Response.json() typed any, Buffer bodies refused).
 */

interface BrowserElement {
  readonly tagName: string;
  readonly className: string;
  closest(selectors: string): BrowserElement | null;
  getBoundingClientRect(): { readonly right: number };
}

interface HTMLInputElement extends BrowserElement {
  readonly value: string;
  /** A file input's chosen files. */
  readonly files: { readonly length: number } | null;
}

declare var document: {
  readonly cookie: string;
  readonly documentElement: { readonly clientWidth: number };
  querySelectorAll(selectors: string): ArrayLike<BrowserElement> & Iterable<BrowserElement>;
};

declare var window: typeof globalThis;
