// Shared by the browser tests: starts `tca twitch-sim` (manual clock) and `tca serve` pointed
// at it (Helix, OAuth and EventSub) on loopback ports, launches Debian's chromium through playwright-core (never a
// downloaded browser), and cleans everything up. TCA is the binary under test (default
// build/ui/tca), TCA_UI_DIR the built UI (default ui/dist).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const require = createRequire(path.join(ROOT, 'ui/package.json'));
const { chromium } = require('playwright-core');

export const TCA = path.resolve(ROOT, process.env.TCA || 'build/ui/tca');
export const UI_DIR = path.resolve(ROOT, process.env.TCA_UI_DIR || 'ui/dist');
export const SHOTS = path.resolve(ROOT, process.env.TCA_SCREENSHOTS || 'docs/screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SECRET = 'dGNhLXVpLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY=';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

/** Starts the simulator and `tca serve`; returns {gw, sim, work, stop(), simPost(path)}. */
export async function startServers({ env = {} } = {}) {
  if (!fs.existsSync(TCA)) throw new Error(`${TCA} is missing: make BUILD=build/ui first`);
  if (!fs.existsSync(path.join(UI_DIR, 'index.html'))) throw new Error(`${UI_DIR} has no index.html: run ui/build.sh first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tca-ui-'));
  const procs = [];
  const portFile = path.join(work, 'sim.port');
  const simLog = fs.openSync(path.join(work, 'sim.log'), 'w');
  procs.push(
    spawn(TCA, ['twitch-sim', '--listen', '127.0.0.1:0', '--port-file', portFile, '--manual-clock', '--device-interval', '1',
      '--client-id', 'tca-sim-client', '--client-secret', 'tca-sim-secret'], {
      stdio: ['ignore', simLog, simLog],
    }),
  );
  const simPort = await waitFor(() => fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim(), 'the simulator');
  const sim = `http://127.0.0.1:${simPort}`;
  // the worker's EventSub runner talks to the simulator's WebSocket, never to Twitch's
  const eventsub = await waitFor(async () => (await (await fetch(`${sim}/_sim/eventsub`)).json()).url, 'the simulated EventSub');
  const port = await freePort();
  const gw = `http://127.0.0.1:${port}`;
  const serveEnv = {
    PATH: process.env.PATH,
    HOME: work,
    TCA_ENV_FILE: path.join(work, 'none.env'),
    TCA_DB: path.join(work, 'tca.db'),
    TCA_LISTEN: `127.0.0.1:${port}`,
    TCA_UI_DIR: UI_DIR,
    TCA_CAPTURE_INTERVAL: '3600',
    TCA_RATE_LIMIT: '0',
    APP_SESSION_SECRET: SECRET,
    TWITCH_CLIENT_ID: 'tca-sim-client',
    TWITCH_CLIENT_SECRET: 'tca-sim-secret',
    TWITCH_REDIRECT_URL: `${gw}/auth/callback`,
    TWITCH_API_BASE: `${sim}/helix`,
    TWITCH_AUTH_BASE: `${sim}/oauth2`,
    TWITCH_EVENTSUB_URL: eventsub,
    TCA_SENTIMENT_LEXICONS: path.join(ROOT, 'lexicons/node_modules'),
    ...env,
  };
  const serveLog = fs.openSync(path.join(work, 'serve.log'), 'w');
  const serve = spawn(TCA, ['serve'], { env: serveEnv, stdio: ['ignore', serveLog, serveLog], cwd: work });
  procs.push(serve);
  await waitFor(async () => (await fetch(`${gw}/healthz`)).ok, 'tca serve', 20000).catch((e) => {
    console.error(fs.readFileSync(path.join(work, 'serve.log'), 'utf8'));
    throw e;
  });
  return {
    gw,
    sim,
    work,
    async simGet(p) {
      const r = await fetch(sim + p);
      if (!r.ok) throw new Error(`simulator ${p}: ${r.status}`);
      return r.json();
    },
    async simPost(p) {
      const r = await fetch(sim + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (!r.ok) throw new Error(`simulator ${p}: ${r.status}`);
      return r.json();
    },
    log() {
      return fs.readFileSync(path.join(work, 'serve.log'), 'utf8');
    },
    async stop() {
      for (const p of procs.reverse()) {
        if (p.exitCode === null) {
          p.kill('SIGTERM');
          await Promise.race([new Promise((r) => p.once('exit', r)), sleep(5000)]);
          if (p.exitCode === null) p.kill('SIGKILL');
        }
      }
      if (!process.env.TCA_UI_KEEP) fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Launches headless chromium with a fresh profile; returns {browser, dir, close()}. */
export async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tca-chromium-'));
  const browser = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 768 },
    locale: 'en-US',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
  return {
    context: browser,
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of page as docs/screenshots/NAME.png. */
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png') });
}

/** Collects console errors and failed requests of a page (CSP violations show up here). */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => errors.push('page: ' + e.message));
  return errors;
}

/** Logs in through the simulator's auto-consent and waits for the channels page. */
export async function login(page, gw) {
  await page.goto(gw + '/');
  await page.getByRole('link', { name: /Log in with Twitch|Se connecter avec Twitch/ }).click();
  await page.waitForURL(/#\/channels/);
  await page.locator('.channel-list .channel').first().waitFor();
}

export { sleep, waitFor, ROOT };
