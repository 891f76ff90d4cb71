#!/usr/bin/env node
// Drives examples/web_app.rs in headless Chromium against the certified OpenID Provider of
// tests/interop (panva's oidc-provider), through its real login, consent and logout pages.
// tests/browser.rs runs it from `cargo test`; see docs/web.md.
//
// Usage: node web_app.mjs --app PATH_TO_WEB_APP_BINARY [--screenshots DIR]
//   Chromium: TOKENBRIDGE_CHROMIUM, else /usr/bin/chromium (Debian's package; no browser is
//   downloaded). Node: this process's. Everything listens on 127.0.0.1 only.
// Exit status 0 when every check passed, 1 otherwise (the failed check on stderr).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROVIDER_JS = path.join(HERE, '..', 'interop', 'provider.js');
const CHROMIUM = process.env.TOKENBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
// What headless Chromium needs on these machines (no sandbox as root, no GPU, no calls home).
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// The provider's tb-web client issues access tokens for this long (provider.js); the app
// renews them 10 s before they expire, so for 15 s after sign-in the token is used as issued.
const WEB_ACCESS_TOKEN_TTL_S = 25;
const STEP_TIMEOUT_MS = 20_000;

function arg(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const children = [];
function cleanup() {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
process.on('exit', cleanup);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts a child and resolves with the first stdout line matching `ready`; keeps its stderr.
function start(name, command, args, env, ready) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const log = { stderr: '' };
  child.stderr.on('data', (chunk) => {
    log.stderr += chunk.toString();
  });
  const lines = readline.createInterface({ input: child.stdout });
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${log.stderr}`)), 30_000);
    lines.on('line', (line) => {
      const match = line.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${log.stderr}`));
    });
  });
  return { child, log, found };
}

const checks = [];
async function check(name, body) {
  const started = Date.now();
  try {
    await body();
    checks.push(name);
    process.stdout.write(`ok   ${name} (${Date.now() - started} ms)\n`);
  } catch (err) {
    process.stdout.write(`FAIL ${name}\n`);
    throw err;
  }
}

// Signs in through the provider's login and consent pages as `account`; ends on the app.
async function signIn(page, app, account, start = `${app}/`) {
  await page.goto(start);
  await page.getByRole('link', { name: /Sign in/ }).click();
  await page.waitForSelector('form[data-prompt="login"]');
  await page.fill('input[name="login"]', account);
  await page.click('button[type="submit"]');
  await page.waitForSelector('form[data-prompt="consent"]');
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.origin === app);
}

async function json(page, url) {
  const response = await page.goto(url);
  return { status: response.status(), body: JSON.parse(await page.innerText('body')) };
}

function renewals(appLog) {
  return appLog.stderr.split('\n').filter((l) => l.includes('renewed the access token')).length;
}

async function main() {
  const appBinary = arg('--app');
  assert.ok(appBinary, 'usage: node web_app.mjs --app PATH_TO_WEB_APP_BINARY [--screenshots DIR]');
  const screenshots = arg('--screenshots') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tb-screens-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-browser-'));

  const appPort = await freePort();
  const app = `http://127.0.0.1:${appPort}`;
  const op = start('the OpenID Provider', process.execPath, [PROVIDER_JS, '0', '--exit-on-stdin-close'],
    { TOKENBRIDGE_INTEROP_WEB_APP: app }, /^tokenbridge-interop ready (\S+)$/);
  const issuer = await op.found;
  const config = path.join(work, 'tokenbridge.toml');
  fs.writeFileSync(config, `[providers.interop]
kind = "oidc"
issuer = "${issuer}"
client_id = "tb-web"
client_secret = "tb-web-secret"
scopes = ["openid", "profile", "email"]
`);
  const web = start('web_app', appBinary, ['--config', config, '--provider', 'interop', '--addr', `127.0.0.1:${appPort}`],
    { RUST_LOG: 'info' }, /^listening on (\S+)$/);
  assert.equal(await web.found, app);

  // Playwright starts Chromium with a fresh --user-data-dir of its own, removed at close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    const context = await browser.newContext({ viewport: { width: 720, height: 260 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    // Every answer of the app: no token in a Location (the logout hint to the provider aside).
    const locations = [];
    page.on('response', (response) => {
      const location = response.headers().location;
      if (response.url().startsWith(app) && location) locations.push(location);
    });

    await check('signed out: a "Sign in" link to /login', async () => {
      await page.goto(`${app}/`);
      const link = page.getByRole('link', { name: /Sign in/ });
      assert.equal(await link.getAttribute('href'), '/login');
      await page.screenshot({ path: path.join(screenshots, 'web-app-signed-out.png') });
      assert.equal((await json(page, `${app}/me`)).status, 401);
    });

    await check('sign in through the provider\'s login and consent pages', async () => {
      await signIn(page, app, 'alice');
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await page.innerText('#subject'), 'alice');
      assert.equal(await page.innerText('#name'), 'Test user alice');
      await page.screenshot({ path: path.join(screenshots, 'web-app-signed-in.png') });
    });
    const signedInAt = Date.now();

    await check('/me answers the normalized identity', async () => {
      const me = await json(page, `${app}/me`);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, {
        provider: 'interop', subject: 'alice', name: 'Test user alice', email: 'alice@example.test',
      });
    });

    await check('the cookie is a random session id: HttpOnly, SameSite=Lax; no token in the page', async () => {
      const cookies = (await context.cookies(app)).filter((c) => c.name === 'tokenbridge_session');
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0].httpOnly, true);
      assert.equal(cookies[0].sameSite, 'Lax');
      assert.match(cookies[0].value, /^[A-Za-z0-9_-]{22}$/);
      await page.goto(`${app}/`);
      const html = await page.content();
      assert.doesNotMatch(html, /eyJ[A-Za-z0-9_-]+\./, 'a JWT in the page');
      assert.equal(await page.evaluate(() => document.cookie), '', 'a cookie readable by scripts');
    });

    await check('/me/userinfo through the middleware, with the token as issued', async () => {
      const info = await json(page, `${app}/me/userinfo`);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(info.body.subject, 'alice');
      assert.equal(info.body.email, 'alice@example.test');
      assert.equal(renewals(web.log), 0, 'renewed too early');
    });

    await check('past the access token\'s lifetime, /me/userinfo renews it first', async () => {
      const expired = signedInAt + (WEB_ACCESS_TOKEN_TTL_S + 2) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expired - Date.now())));
      const info = await json(page, `${app}/me/userinfo`);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(info.body.subject, 'alice');
      assert.equal(renewals(web.log), 1, web.log.stderr);
      const again = await json(page, `${app}/me/userinfo`);
      assert.equal(again.status, 200);
      assert.equal(renewals(web.log), 1, 'renewed again although fresh');
    });

    await check('an open redirect is refused', async () => {
      for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/%2F%2Fevil.example']) {
        const response = await page.goto(`${app}/login?next=${encodeURIComponent(next)}`);
        assert.equal(response.status(), 400, next);
        assert.match(await page.innerText('body'), /refused `next`/);
      }
    });

    await check('sign out at the provider and come back signed out', async () => {
      await page.goto(`${app}/`);
      await page.click('#sign-out');
      await page.waitForURL((url) => url.origin === issuer);
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.waitForURL(`${app}/`);
      await page.getByRole('link', { name: /Sign in/ }).waitFor();
      assert.equal((await json(page, `${app}/me`)).status, 401);
      assert.equal((await json(page, `${app}/me/userinfo`)).status, 401);
      // Signed out at the provider too: the next sign-in asks for the login again.
      await page.goto(`${app}/login`);
      await page.waitForSelector('form[data-prompt="login"]');
    });

    await check('a tampered callback is refused with a 400 page naming the problem', async () => {
      // The login started above is in progress; its callback arrives with a forged state.
      const response = await page.goto(`${app}/callback?code=forged-code&state=forged-state&iss=${encodeURIComponent(issuer)}`);
      assert.equal(response.status(), 400);
      assert.match(await page.innerText('#problem'), /`state` differs/);
      const error = await page.goto(`${app}/callback?error=access_denied&state=x`);
      assert.equal(error.status(), 400);
    });

    await check('no token in any redirect the app sent, nor in its log', async () => {
      for (const location of locations) {
        if (location.startsWith(`${issuer}/session/end`)) continue; // id_token_hint, to the provider
        assert.doesNotMatch(location, /eyJ[A-Za-z0-9_-]+\.|access_token|refresh_token|id_token/, location);
      }
      assert.ok(locations.some((l) => l.startsWith(`${issuer}/session/end`)), locations.join('\n'));
      assert.doesNotMatch(web.log.stderr, /eyJ[A-Za-z0-9_-]+\./, 'a JWT in the log');
    });

    await check('two browser contexts are two users', async () => {
      const [a, b] = [await browser.newContext(), await browser.newContext()];
      a.setDefaultTimeout(STEP_TIMEOUT_MS);
      b.setDefaultTimeout(STEP_TIMEOUT_MS);
      const [pa, pb] = [await a.newPage(), await b.newPage()];
      await signIn(pa, app, 'carol');
      await signIn(pb, app, 'dave');
      assert.equal((await json(pa, `${app}/me`)).body.subject, 'carol');
      assert.equal((await json(pb, `${app}/me`)).body.subject, 'dave');
      await a.close();
      await b.close();
    });

    await check('a name and subject holding HTML are shown as text', async () => {
      const c = await browser.newContext();
      c.setDefaultTimeout(STEP_TIMEOUT_MS);
      const pc = await c.newPage();
      const account = '<i>mallory</i>&"';
      await signIn(pc, app, account);
      assert.equal(await pc.innerText('#subject'), account);
      assert.equal(await pc.innerText('#name'), `Test user ${account}`);
      assert.equal(await pc.locator('#subject i, #name i').count(), 0);
      await c.close();
    });

    await check('`next` brings the user back to the page they asked for', async () => {
      const c = await browser.newContext();
      c.setDefaultTimeout(STEP_TIMEOUT_MS);
      const pc = await c.newPage();
      await pc.goto(`${app}/login?next=${encodeURIComponent('/me')}`);
      await pc.waitForSelector('form[data-prompt="login"]');
      await pc.fill('input[name="login"]', 'erin');
      await pc.click('button[type="submit"]');
      await pc.waitForSelector('form[data-prompt="consent"]');
      await pc.click('button[type="submit"]');
      await pc.waitForURL(`${app}/me`);
      assert.equal(JSON.parse(await pc.innerText('body')).subject, 'erin');
      await c.close();
    });
  } finally {
    await browser.close();
    cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`all ${checks.length} browser checks passed\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    cleanup();
    process.exit(1);
  },
);
