#!/usr/bin/env node
// The built book in a real browser: opens every page of BOOK_DIR (default
// ../book, i.e. book/book) in headless Chromium through a loopback server and
// fails (exit 1) if
//   - any math did not render (a .katex-error, or raw $$, \( or \[ in the text),
//   - any image did not load, any local file a page asks for is missing, or a
//     page links to a local file that does not exist (e.g. api/ pages),
//   - any request would leave the machine (it is blocked and reported),
//   - a script on a page throws,
//   - any display equation is wider than the text column without scrolling
//     inside its own box, or its equation tag overlaps the formula, or the
//     page scrolls sideways,
//   - the search box finds nothing for "partition function".
// Bad input (no book, no browser) exits 2. The browser is Debian's chromium
// (or $CHROMIUM); puppeteer-core drives it and never downloads one.
//
// usage: node check.mjs [BOOK_DIR] [--screenshots DIR] [--width PX] [--page NAME.html ...]
//        node check.mjs --self-test   (the check must catch every problem of
//                                      fixtures/broken/index.html)

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const SEARCH_QUERY = 'partition function';
const LAUNCH_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const HERE = path.dirname(new URL(import.meta.url).pathname);
/** What the self-test must find in fixtures/broken/index.html, one line each. */
const SELF_TEST_EXPECTED = [
  'math did not render: ParseError',
  'raw TeX in the text',
  'image did not load: missing.svg',
  '/missing.svg: HTTP 404',
  'request leaves the machine: https://example.com/figure.png',
  'links to /nowhere.html, which does not exist',
  'equation (1.1): 9', // px wide in a box that does not scroll
  'equation (1.1): the tag overlaps the formula',
  'equation (1.2): the tag overlaps the formula',
  'display equation 2: its box (800 px) is wider than the column (600 px)',
  'the page scrolls sideways',
  'script error: undefinedFunction is not defined',
  'the search box finds nothing',
];
const MIME = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
  '.json': 'application/json', '.txt': 'text/plain', '.ico': 'image/x-icon',
};

/** Command-line arguments; exits 2 with a one-line message on bad input. */
function parseArgs(argv) {
  const args = { book: path.resolve(HERE, '../book'), selfTest: false,
    screenshots: null, width: 1280, only: [], chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--screenshots') args.screenshots = path.resolve(argv[++i] ?? '');
    else if (argv[i] === '--width') args.width = Number(argv[++i]);
    else if (argv[i] === '--page') args.only.push(argv[++i] ?? '');
    else if (argv[i] === '--self-test') args.selfTest = true;
    else if (argv[i].startsWith('--')) fail(`unknown option ${argv[i]} (expected --screenshots DIR, --width PX or --page NAME)`);
    else args.book = path.resolve(argv[i]);
  }
  if (args.selfTest) args.book = path.join(HERE, 'fixtures/broken');
  if (!fs.existsSync(path.join(args.book, 'index.html')))
    fail(`${args.book}/index.html does not exist: build the book first (just book)`);
  if (!fs.existsSync(args.chromium))
    fail(`${args.chromium} does not exist: apt-get install chromium, or set CHROMIUM`);
  if (!(args.width >= 320)) fail('--width: expected a number of pixels, at least 320');
  return args;
}

function fail(message) {
  console.error(`book-browser-check: ${message}`);
  process.exit(2);
}

/** Every HTML page of the book itself (not the API docs under api/). */
function bookPages(root) {
  const pages = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !(dir === root && entry.name === 'api')) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.html')) pages.push(path.relative(root, full));
    }
  };
  walk(root);
  return pages.sort();
}

/** The file under `root` that a URL path names, or null if it escapes `root`. */
function fileFor(root, urlPath) {
  const file = path.join(root, decodeURIComponent(urlPath));
  return file.startsWith(root) ? file : null;
}

/** A static file server on 127.0.0.1 for `root`; resolves to its origin. */
function serve(root) {
  const server = http.createServer((req, res) => {
    let file = fileFor(root, new URL(req.url, 'http://x').pathname);
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

/** Runs in the page: unrendered math, broken images, too-wide equations. */
function inspectPage() {
  const problems = [];
  const main = document.querySelector('main') || document.body;
  for (const e of document.querySelectorAll('.katex-error'))
    problems.push(`math did not render: ${(e.getAttribute('title') || e.textContent).slice(0, 100)}`);
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('pre, code, .katex, script, style')) continue;
    if (/\$\$|\\\(|\\\[/.test(node.nodeValue))
      problems.push(`raw TeX in the text: "${node.nodeValue.trim().slice(0, 80)}"`);
  }
  for (const img of document.querySelectorAll('img'))
    if (!img.complete || img.naturalWidth === 0) problems.push(`image did not load: ${img.getAttribute('src')}`);
  const column = main.getBoundingClientRect();
  document.querySelectorAll('.katex-display').forEach((display, k) => {
    const tag = display.querySelector('.tag');
    const name = tag ? `equation ${tag.textContent.trim()}` : `display equation ${k + 1}`;
    const box = display.getBoundingClientRect();
    if (box.left < column.left - 1 || box.right > column.right + 1)
      problems.push(`${name}: its box (${Math.round(box.width)} px) is wider than the column (${Math.round(column.width)} px)`);
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(display).overflowX);
    if (display.scrollWidth > display.clientWidth + 1 && !scrolls)
      problems.push(`${name}: ${display.scrollWidth} px wide in a ${display.clientWidth} px box that does not scroll`);
    if (tag) {
      const t = tag.getBoundingClientRect();
      const overlaps = [...display.querySelectorAll('.katex-html > .base')].some((b) => {
        const r = b.getBoundingClientRect();
        return r.right > t.left + 1 && r.left < t.right - 1;
      });
      if (overlaps) problems.push(`${name}: the tag overlaps the formula`);
    }
  });
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1)
    problems.push(`the page scrolls sideways (${page.scrollWidth} px in a ${page.clientWidth} px window)`);
  const links = [...main.querySelectorAll('a[href]')].map((a) => a.href);
  return { problems, links, n_displays: document.querySelectorAll('.katex-display').length };
}

/** A fresh page whose requests may only go to `origin` (others are blocked and recorded). */
async function openGuardedPage(browser, origin, width, problems) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.origin === origin || ['data:', 'blob:', 'about:'].includes(url.protocol)) req.continue();
    else { problems.push(`request leaves the machine: ${req.url()}`); req.abort(); }
  });
  page.on('response', (res) => {
    // Chromium asks for /favicon.ico by itself on pages that name no icon
    // (mdBook's toc.html); no page of the book refers to it.
    if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') problems.push(`${res.url().replace(origin, '')}: HTTP ${res.status()} (missing file)`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${String(err.message).split('\n')[0]}`));
  return page;
}

/** Links from the text to local files that do not exist. */
function missingLinks(root, origin, links) {
  return links
    .filter((href) => href.startsWith(origin))
    .map((href) => new URL(href).pathname)
    .filter((p) => { const f = fileFor(root, p); return !f || !fs.existsSync(f); })
    .map((p) => `links to ${p}, which does not exist${p.startsWith('/api/') ? ' (run bash .ci/api-docs)' : ''}`);
}

/** Every page: returns { page: [problems] } and saves screenshots if asked. */
async function checkPages(browser, args, origin) {
  const report = {};
  let n_displays = 0;
  const pages = bookPages(args.book).filter((p) => args.only.length === 0 || args.only.includes(p));
  if (pages.length === 0) fail(`--page: no such page in ${args.book}`);
  for (const name of pages) {
    const problems = [];
    const page = await openGuardedPage(browser, origin, args.width, problems);
    await page.goto(`${origin}/${name}`, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    const result = await page.evaluate(inspectPage);
    problems.push(...result.problems, ...missingLinks(args.book, origin, result.links));
    n_displays += result.n_displays;
    if (args.screenshots) await saveScreenshots(page, args.screenshots, name);
    await page.close();
    report[name] = [...new Set(problems)];
  }
  return { report, n_displays };
}

/** The top of the page and every display equation with a tag, for a human to look at. */
async function saveScreenshots(page, dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  const stem = name.replace(/[/\\]/g, '_').replace(/\.html$/, '');
  await page.screenshot({ path: path.join(dir, `${stem}.png`) });
  const displays = await page.$$('.katex-display');
  for (const [k, display] of displays.entries())
    await display.screenshot({ path: path.join(dir, `${stem}-eq${k + 1}.png`) }).catch(() => {});
}

/** Types the query into the search box of index.html; returns the number of results. */
async function searchResults(browser, origin, width, problems) {
  const page = await openGuardedPage(browser, origin, width, problems);
  await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
  const results = await page.click('#mdbook-search-toggle', { timeout: 5000 })
    .then(() => page.type('#mdbook-searchbar', SEARCH_QUERY))
    .then(() => page.waitForFunction(
      () => document.querySelectorAll('#mdbook-searchresults li').length, { timeout: 10000 }))
    .then((handle) => handle.jsonValue())
    .catch(() => 0);
  await page.close();
  return results;
}

/** Every page and the search; returns the problems by page. */
async function runCheck(browser, args, origin) {
  const { report, n_displays } = await checkPages(browser, args, origin);
  const searchProblems = [];
  const n_results = await searchResults(browser, origin, args.width, searchProblems);
  if (n_results === 0) searchProblems.push(`the search box finds nothing for "${SEARCH_QUERY}"`);
  report['search (index.html)'] = searchProblems;
  return { report, n_displays, n_results };
}

/** Prints the problems and a summary line; returns true if there were none. */
function printReport(args, { report, n_displays, n_results }) {
  let clean = true;
  for (const [name, problems] of Object.entries(report)) {
    for (const p of problems) console.log(`${name}: ${p}`);
    clean &&= problems.length === 0;
  }
  const pages = Object.keys(report).length - 1;
  console.log(`${pages} pages, ${n_displays} display equations at ${args.width} px; ` +
    `search for "${SEARCH_QUERY}": ${n_results} results; ${clean ? 'all checks passed' : 'FAILED'}`);
  return clean;
}

/** The check against the broken fixture: true if it caught every problem. */
function selfTestPassed({ report }) {
  const found = Object.values(report).flat();
  for (const p of found) console.log(`self-test found: ${p}`);
  const missed = SELF_TEST_EXPECTED.filter((needle) => !found.some((p) => p.includes(needle)));
  for (const needle of missed) console.log(`self-test: the check did not report "${needle}"`);
  console.log(`self-test: ${SELF_TEST_EXPECTED.length - missed.length} of ` +
    `${SELF_TEST_EXPECTED.length} planted problems caught (${found.length} reported)`);
  return missed.length === 0;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { server, origin } = await serve(args.book);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'book-browser-check-'));
  const browser = await puppeteer.launch({
    executablePath: args.chromium, headless: true, userDataDir: profile, args: LAUNCH_FLAGS,
  });
  let ok;
  try {
    const result = await runCheck(browser, args, origin);
    ok = args.selfTest ? selfTestPassed(result) : printReport(args, result);
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`book-browser-check: ${err.message}`);
  process.exit(1);
});
