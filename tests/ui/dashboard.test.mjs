// The moderator's flow in a real browser (Debian's chromium, headless) against `tca serve`
// and `tca twitch-sim` on loopback: log in, pick a channel, start and stop a periodic
// capture, capture while the dashboard (open in another tab) fills itself without a reload,
// find the raid marker and the bot wave, use the chatter table and open a profile, export
// CSV and check its content, overlap, save and delete a session, create and revoke an API
// key, manage known bots, webhooks and the watchlist, switch language, phone width, the login-failed and login-lost
// pages, and the static file serving (ETag, 304, types, CSP, traversal). Screenshots of each
// main screen go to docs/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, login, shot, sleep, startServers, watchErrors } from './lib.mjs';

const unexpected = (errors) =>
  errors.filter((e) => !/status of 401|status of 404 \(Not Found\)|status of 503|status of 400/.test(e));

test('the dashboard, end to end', { timeout: 300000 }, async (t) => {
  const s = await startServers();
  const b = await launch();
  const page = await b.context.newPage();
  const errors = watchErrors(page);
  let dash; // the dashboard, open in a second tab while captures arrive
  let dashErrors = [];
  t.after(async () => {
    await b.close();
    await s.stop();
  });

  await t.test('serves the UI with ETag, 304, types, cache control and the CSP', async () => {
    const r = await fetch(s.gw + '/', { headers: { Accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
    assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
    const html = await r.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>[^<]/, 'no inline script');
    assert.doesNotMatch(html, /style="/, 'no inline style');
    const js = await fetch(s.gw + '/static/js/app.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'no-cache');
    const etag = js.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await fetch(s.gw + '/static/js/app.js', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.text()).length, 0);
    const css = await fetch(s.gw + '/static/vendor/uPlot.min.css');
    assert.match(css.headers.get('content-type'), /^text\/css/);
    for (const bad of ['/static/%2e%2e/index.html', '/static/../../etc/passwd', '/static/.hidden', '/static/js//app.js', '/static/nope.js']) {
      const x = await fetch(s.gw + bad);
      assert.equal(x.status, 404, bad);
    }
    const api = await fetch(s.gw + '/', { headers: { Accept: 'application/json' } });
    assert.equal((await api.json()).login, '/auth/login');
  });

  await t.test('logs in with Twitch', async () => {
    await page.goto(s.gw + '/');
    await page.getByRole('heading', { name: 'Twitch Chatters Analyser' }).waitFor();
    await shot(page, 'login');
    await login(page, s.gw);
    assert.equal(await page.locator('#who').textContent(), 'Demo_Mod');
    await page.locator('.channel[data-login="raid_channel"] .badge.live').waitFor();
    await shot(page, 'channels');
  });

  await t.test('a failed login and a lost login get clear pages', async () => {
    const p = await b.context.newPage();
    await p.goto(s.gw + '/auth/callback?error=access_denied&state=x');
    await p.waitForURL(/#\/login-failed\/login_refused/);
    await p.getByRole('heading', { name: 'Login failed' }).waitFor();
    assert.match(await p.getByRole('alert').textContent(), /did not grant access/);
    assert.ok(await p.getByRole('link', { name: 'Try again with Twitch' }).isVisible());
    await shot(p, 'login-failed');
    await p.close();
  });

  const row = page.locator('.channel[data-login="raid_channel"]');
  const newestActivity = page.locator('#activity .act').first();

  async function runAction(button) {
    // the handle is taken before the click: a successful action may re-render the button away
    const handle = await button.elementHandle();
    await button.click();
    await page.waitForFunction((el) => !el.isConnected || !el.disabled, handle);
    const state = await newestActivity.getAttribute('data-state');
    const text = await newestActivity.textContent();
    return { state, text };
  }

  await t.test('adds a channel to the session without capturing it', async () => {
    const cozy = page.locator('.channel[data-login="cozy_channel"]');
    const add = cozy.getByRole('button', { name: 'Add to session' });
    await cozy.locator('.sched', { hasText: 'Not in the active session' }).waitFor();
    const r = await runAction(add);
    assert.equal(r.state, 'done', r.text);
    await cozy.locator('.sched', { hasText: 'In the active session; no periodic capture.' }).waitFor();
    assert.equal(await add.isVisible(), false, 'the button goes once the channel is in');
  });

  await t.test('starts and stops a periodic capture of a channel', async () => {
    // Another channel than the raid's: a periodic start captures at once, and the scheduler
    // may run that capture before the stop, which must not shift raid_channel's numbering.
    const row = page.locator('.channel[data-login="chan_02"]');
    await row.getByLabel('Interval (s)').fill('3');
    let r = await runAction(row.getByRole('button', { name: 'Start periodic capture' }));
    assert.equal(r.state, 'failed', 'an interval under 5 s is refused in the page');
    assert.match(r.text, /from 5 to 86400/);
    await newestActivity.getByRole('button', { name: 'Dismiss' }).click(); // failures stay until dismissed
    await row.getByLabel('Interval (s)').fill('600');
    r = await runAction(row.getByRole('button', { name: 'Start periodic capture' }));
    assert.equal(r.state, 'done', r.text);
    await row.locator('.sched', { hasText: 'every 600 s' }).waitFor();
    // a captured channel comes first, says its real interval, and offers no second start
    await page.goto(s.gw + '/#/channels');
    await row.locator('.sched', { hasText: 'every 600 s' }).waitFor();
    assert.equal(await page.locator('.channel').first().getAttribute('data-login'), 'chan_02');
    assert.equal(await row.getByLabel('Interval (s)').inputValue(), '600');
    assert.equal(await row.getByRole('button', { name: 'Start periodic capture' }).count(), 0);
    assert.equal(await row.getByRole('button', { name: 'Change interval' }).isVisible(), true);
    assert.equal(await page.locator('.channel.compact').first().isVisible(), true, 'channels outside the session are compact');
    await page.getByLabel('Filter channels').fill('chan_0');
    assert.ok((await page.locator('.channel:visible').count()) >= 2);
    assert.equal(await page.locator('.channel[data-login="raid_channel"]').isVisible(), false, 'the filter searches by login');
    await page.getByLabel('Filter channels').fill('');
    r = await runAction(row.getByRole('button', { name: 'Stop' }));
    assert.equal(r.state, 'done', r.text);
    await row.locator('.sched', { hasText: 'no periodic capture' }).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Stop' }).isVisible(), false, 'nothing to stop');
    assert.equal(await row.getByRole('button', { name: 'Start periodic capture' }).isVisible(), true);
  });

  await t.test('captures fill the live dashboard in another tab without a reload', async () => {
    // a first capture puts the channel in the session; then the dashboard is opened
    let r = await runAction(row.getByRole('button', { name: 'Capture now' }));
    assert.equal(r.state, 'done', r.text);
    assert.match(r.text, /chatters captured/);
    await s.simPost('/_sim/advance?ticks=1');
    dash = await b.context.newPage();
    dashErrors = watchErrors(dash);
    await dash.goto(s.gw + '/#/dashboard');
    await dash.waitForFunction(() => document.body.dataset.dashboardReady === '1');
    await dash.evaluate(() => {
      window.__noReload = true;
    });
    // simulator ticks 1..12: the raid arrives at tick 5 (capture 6), the bot wave at 8 (capture 9)
    for (let i = 2; i <= 13; i++) {
      r = await runAction(row.getByRole('button', { name: 'Capture now' }));
      assert.equal(r.state, 'done', `capture ${i}: ${r.text}`);
      await s.simPost('/_sim/advance?ticks=1');
    }
    for (let i = 0; i < 2; i++) {
      r = await runAction(page.locator('.channel[data-login="cozy_channel"]').getByRole('button', { name: 'Capture now' }));
      assert.equal(r.state, 'done', r.text);
    }
    await row.locator('.last', { hasText: 'Last capture #13' }).waitFor();
    await dash.waitForFunction(() => document.querySelectorAll('.raid-marker').length >= 2, null, { timeout: 20000 });
    assert.equal(await dash.evaluate(() => window.__noReload), true, 'the dashboard was not reloaded');
    const updates = Number(await dash.evaluate(() => document.body.dataset.dashboardUpdates));
    assert.ok(updates >= 2, `the dashboard updated itself (${updates} renders)`);
  });

  await t.test('the dashboard shows the chart, the raid marker and the bot wave', async () => {
    await dash.getByLabel('Channel', { exact: true }).selectOption('raid_channel');
    await dash.waitForFunction(() => document.querySelectorAll('.chart[data-chart="chatters"] canvas').length > 0);
    const raid = dash.locator('.raid-marker[data-kind="raid"]');
    const wave = dash.locator('.raid-marker[data-kind="wave"]');
    await raid.waitFor();
    await wave.waitFor();
    assert.match(await raid.getAttribute('aria-label'), /Raid on raid_channel at capture #6/);
    assert.match(await wave.getAttribute('aria-label'), /Bot wave on raid_channel at capture #9: \d+ joined, 150 accounts/);
    const critical = dash.locator('.days-table tr[data-level="critical"]');
    await critical.waitFor();
    assert.match(await critical.textContent(), /150/);
    assert.match(await dash.locator('.flag-counts').textContent(), /creation wave: 150/);
    assert.ok((await dash.locator('.flag-table tbody tr').count()) >= 150);
    assert.match(await dash.locator('.flag-table tbody tr').first().textContent(), /coolviewer_/);
    const current = await dash.locator('.kpi').first().locator('.kpi-value').textContent();
    assert.match(current, /^\d[\d,]*$/);
    await dash.locator('.raids-table').waitFor();
    // keyboard: the marker is a button that moves focus to its row in the raids table
    await raid.focus();
    await dash.keyboard.press('Enter');
    await dash.waitForFunction(() => document.activeElement && document.activeElement.id === 'raid-row-raid_channel-6');
    // capture 6 is minutes before the last one: its 30-minute stay cannot be known yet
    const raidRow = dash.locator('#raid-row-raid_channel-6');
    assert.match(await raidRow.textContent(), /— pending/);
    assert.doesNotMatch(await raidRow.locator('td').last().textContent(), /\/ 0$/);
    assert.match(await raidRow.locator('.pending').last().getAttribute('title'), /^known at /);
    await dash.evaluate(() => window.scrollTo(0, 0));
    await shot(dash, 'dashboard');
    assert.deepEqual(unexpected(dashErrors), []);
  });

  await t.test('headline numbers agree with each other and each says what it counts', async () => {
    await dash.getByLabel('Channel', { exact: true }).selectOption('');
    await dash.waitForFunction(() => /^#\/dashboard\/\d+$/.test(location.hash));
    await dash.waitForFunction(() => document.querySelector('.kpi .kpi-value').textContent !== '—');
    const num = async (i) => Number((await dash.locator('.kpi').nth(i).locator('.kpi-value').textContent()).replace(/[^\d]/g, ''));
    // naive recomputation from the captures: at each capture time, each channel's latest count, added up
    const expected = await dash.evaluate(async () => {
      const sum = await (await fetch('/api/v1/sessions/active/stats?sections=series')).json();
      const pts = sum.channels.flatMap((c) => c.series.map((x) => ({ c: c.login, at: Date.parse(x.taken_at), n: x.chatters })));
      const times = [...new Set(pts.map((p) => p.at))].sort((a, b) => a - b);
      const totals = times.map((tm) => {
        const latest = {};
        for (const p of pts) if (p.at <= tm && (!latest[p.c] || latest[p.c].at <= p.at)) latest[p.c] = p;
        return Object.values(latest).reduce((a, p) => a + p.n, 0);
      });
      return { now: totals.at(-1), peak: Math.max(...totals), channels: sum.channels.length };
    });
    assert.ok(expected.channels >= 2, 'two channels captured');
    // the view of all channels replaces the one-channel numbers once its statistics arrive
    await dash
      .waitForFunction((want) => Number(document.querySelector('.kpi .kpi-value').textContent.replace(/[^\d]/g, '')) === want, expected.now, {
        timeout: 15000,
      })
      .catch(() => {});
    assert.equal(await num(0), expected.now, 'chatters now');
    assert.equal(await num(2), expected.peak, 'peak');
    assert.ok((await num(0)) <= (await num(2)), 'now is never above the peak');
    // every headline number: a definition on keyboard focus (tooltip + aria-describedby) and hover
    const kpis = dash.locator('.kpi');
    assert.equal(await kpis.count(), 6);
    for (let i = 0; i < 6; i++) {
      const kpi = kpis.nth(i);
      await kpi.focus();
      const def = dash.locator('#' + (await kpi.getAttribute('aria-describedby')));
      assert.equal(await def.isVisible(), true, `definition ${i} shows on focus`);
      assert.ok((await def.textContent()).length > 20);
      assert.equal(await kpi.getAttribute('title'), await def.textContent());
    }
    assert.match(await dash.locator('.kpi').nth(3).locator('.kpi-def').textContent(), /Returning: seen there in an earlier session/);
    await dash.locator('.kpi').first().focus();
    await shot(dash, 'dashboard-definitions');
    await dash.locator('.kpi').first().blur();
  });

  await t.test('a capture is pushed to the open dashboard (Server-Sent Events), polling only as a fallback', async () => {
    await dash.waitForFunction(() => document.body.dataset.dashboardPush === 'open', null, { timeout: 15000 });
    // the stream itself: text/event-stream, a hello with the capture count
    const sse = await dash.evaluate(async () => {
      const ac = new AbortController();
      const r = await fetch('/api/v1/sessions/active/events', { signal: ac.signal });
      const reader = r.body.getReader();
      const { value } = await reader.read();
      ac.abort();
      return { status: r.status, type: r.headers.get('content-type'), first: new TextDecoder().decode(value) };
    });
    assert.equal(sse.status, 200);
    assert.match(sse.type, /^text\/event-stream/);
    assert.match(sse.first, /event: hello\ndata: \{"captures":\d+\}/);
    const me = await dash.evaluate(async () => (await fetch('/api/v1/me')).json());
    const cozy = await dash.evaluate(async () => (await (await fetch('/api/v1/sessions/active')).json()).channels.find((c) => c.login === 'cozy_channel').id);
    const before = await dash.evaluate(() => ({ updates: Number(document.body.dataset.dashboardUpdates), pushes: Number(document.body.dataset.dashboardPushes || 0) }));
    const job = await dash.evaluate(
      async ([id, csrf]) => (await (await fetch(`/api/v1/sessions/active/channels/${id}/capture`, { method: 'POST', headers: { 'X-CSRF-Token': csrf } })).json()).job_id,
      [cozy, me.csrf_token],
    );
    let done = 0;
    for (let i = 0; i < 300 && !done; i++) {
      const j = await dash.evaluate(async (id) => (await fetch(`/api/v1/jobs/${id}`)).json(), job);
      assert.notEqual(j.state, 'failed', j.error);
      if (j.state === 'done') done = Date.now();
      else await sleep(50);
    }
    assert.ok(done, 'the capture finished');
    // after the update the dashboard warms the server's chatter table again (the capture
    // made the cached one stale): a one-row page is asked for
    const warmed = dash.waitForRequest((r) => /\/chatters\?limit=1$/.test(r.url()), { timeout: 30000 });
    await dash.waitForFunction((n) => Number(document.body.dataset.dashboardUpdates) > n, before.updates, { timeout: 14000 });
    const ms = Date.now() - done;
    console.log(`push: dashboard updated ${ms} ms after the capture job was seen done`);
    const after = await dash.evaluate(() => Number(document.body.dataset.dashboardPushes || 0));
    assert.ok(after > before.pushes, 'the update came from a pushed event');
    // polling runs every 15 s while the stream is open: an update this soon was pushed
    assert.ok(ms < 15000, `updated after ${ms} ms`);
    await warmed;
  });

  await t.test('the chatter table searches, filters, sorts and opens a profile', async () => {
    // the table asks the server for pages, never for the whole export
    const asked = [];
    const onRequest = (req) => asked.push(req.url());
    page.on('request', onRequest);
    await page.goto(s.gw + '/#/chatters');
    await page.waitForFunction(() => document.body.dataset.tableReady === '1');
    const count = page.locator('p.count');
    const total = Number((await count.textContent()).match(/of ([\d,]+)/)[1].replace(/,/g, ''));
    assert.ok(total > 1000, `${total} chatters`);
    await page.getByLabel('Show').selectOption('flagged');
    await page.waitForFunction(() => /^150 of/.test(document.querySelector('p.count').textContent));
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Search by login').fill('coolviewer_00');
    await page.waitForFunction(() => /^99 of/.test(document.querySelector('p.count').textContent));
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByRole('button', { name: 'Login' }).click(); // descending
    assert.equal(await page.locator('[role=columnheader][aria-sort=descending]').count(), 1);
    const first = page.locator('.vt-body .vt-row').first();
    await page.waitForFunction(() => document.querySelector('.vt-body .vt-row')?.dataset.login === 'coolviewer_0099');
    assert.equal(await first.getAttribute('data-login'), 'coolviewer_0099');
    page.off('request', onRequest);
    assert.ok(asked.some((u) => /\/api\/v1\/sessions\/\d+\/chatters\?.*sort=login&order=desc&q=coolviewer_00/.test(u)), 'sorted and searched on the server');
    assert.ok(!asked.some((u) => /\/export\?/.test(u)), 'no export downloaded');
    await shot(page, 'chatters');
    // keyboard: focus the grid, move down one row, Enter opens the profile
    await page.locator('[role=grid]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/chatter\/\d+/);
    await page.getByRole('heading', { name: /Chatter Coolviewer_0098/ }).waitFor();
    assert.equal(await page.locator('.twitch-link').getAttribute('href'), 'https://www.twitch.tv/coolviewer_0098');
    assert.match(await page.locator('main').textContent(), /raid_channel/);
    assert.match(await page.locator('main').textContent(), /Account age when first seen/);
    // a flagged account's profile says so, and why
    assert.match(await page.locator('dd[data-field="flags"]').textContent(), /creation wave/);
    assert.match(await page.locator('dd[data-field="flags"]').textContent(), /a critical creation day \(150 accounts\)/);
    // the age reads in years and months (or days for a young account), not "2,804 days"
    assert.match(await page.locator('dd[data-field="age"]').textContent(), /^(\d+ years?(, \d+ months?)?|\d+ months?|\d+ days?|—)$/);
    await shot(page, 'profile');
  });

  await t.test('a watched account is marked in the chatter table and on its profile', async () => {
    const { id, session } = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/sessions/active')).json()).id;
      const r = await (await fetch(`/api/v1/sessions/${session}/chatters?q=coolviewer_0097&limit=1`)).json();
      return { id: r.rows && r.rows.length ? r.rows[0].id : null, session };
    });
    assert.ok(id, 'coolviewer_0097 in the active session');
    await page.goto(s.gw + '/#/settings');
    const watch = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Watchlist' }) });
    await watch.getByLabel('Login or id').fill(String(id));
    await watch.getByLabel('Reason').fill('raid bot');
    await watch.getByRole('button', { name: 'Watch', exact: true }).click();
    await watch.locator('.watch-table tr', { hasText: `#${id}` }).waitFor();
    await page.goto(s.gw + `/#/chatters/${session}`);
    await page.waitForFunction(() => document.body.dataset.tableReady === '1');
    await page.getByLabel('Show').selectOption('watched');
    await page.waitForFunction(() => /^1 of/.test(document.querySelector('p.count').textContent));
    const row = page.locator('.vt-body .vt-row.watched').first();
    await row.waitFor();
    assert.equal(await row.getAttribute('data-login'), 'coolviewer_0097');
    assert.match(await row.locator('.c-login .badge').textContent(), /watched/);
    // nobody here has a role: the demo's login is no broadcaster of these channels
    await page.getByLabel('Show').selectOption('role');
    await page.waitForFunction(() => /^0 of/.test(document.querySelector('p.count').textContent));
    await page.goto(s.gw + `/#/chatter/${id}`);
    await page.locator('dd[data-field="watched"]').waitFor();
    assert.match(await page.locator('dd[data-field="watched"]').textContent(), /watched raid bot/);
    assert.match(await page.locator('dd[data-field="roles"]').textContent(), /none known/);
    await shot(page, 'profile-watched');
  });

  await t.test('exports a CSV named after the channel and the date, with the right content', async () => {
    await page.goto(s.gw + '/#/exports');
    await page.locator('[data-export="chatters"][data-format="csv"]').waitFor();
    await page.getByLabel('Channel', { exact: true }).first().selectOption('raid_channel');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="chatters"][data-format="csv"]').click()]);
    const name = download.suggestedFilename();
    assert.match(name, /^tca-raid_channel-chatters-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'id,login,display_name,created_at,captures_seen,first_seen,last_seen,time_present_s,flags,status,role,watched,messages');
    assert.ok(lines.length > 1000, `${lines.length} lines`);
    const bot = lines.find((l) => l.includes(',coolviewer_0001,'));
    assert.ok(bot, 'the bot wave is in the export');
    assert.match(bot, /wave/);
    assert.match(await newestActivity.textContent(), /saved tca-raid_channel-chatters/);
    const [tl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="timeline"][data-format="csv"]').click()]);
    const tlText = fs.readFileSync(await tl.path(), 'utf8').trim().split(/\r?\n/);
    assert.equal(tlText[0], 'channel,seq,taken_at,chatters,joined,left,new_to_channel,churn');
    assert.equal(tlText.length, 14, 'a header and 13 captures');
    // an empty capture number is refused in the page, in words
    await page.getByLabel('Capture number').fill('');
    await page.locator('[data-export="capture"][data-format="csv"]').click();
    await page.waitForFunction(() => document.querySelector('#activity .act').dataset.state === 'failed');
    assert.match(await newestActivity.textContent(), /Give a capture number from 1 to \d+/);
    assert.equal(await page.getByLabel('Capture number').getAttribute('aria-invalid'), 'true');
    // the activity panel shows three lines at most, so it never covers the page
    assert.ok((await page.locator('#activity .act:visible').count()) <= 3);
    await newestActivity.getByRole('button', { name: 'Dismiss' }).click();
    await shot(page, 'exports');
  });

  await t.test('the overlap matrix opens a pair', async () => {
    await page.goto(s.gw + '/#/overlap');
    const cell = page.locator('table.matrix button.cell').first();
    await cell.waitFor();
    await cell.click();
    await page.locator('.pair dd[data-field="shared"]').waitFor();
    // the shared chatters as a share of the smaller channel, not only the Jaccard index
    const nums = (await page.locator('.pair dl.facts dd').allTextContents()).slice(0, 3).map((x) => Number(x.replace(/[^\d]/g, '')));
    const want = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(nums[2] / Math.min(nums[0], nums[1]));
    assert.equal(await page.locator('.pair dd[data-field="of_smaller"]').textContent(), want);
    assert.match(await cell.getAttribute('aria-label'), /of the smaller channel \(Jaccard/);
    await shot(page, 'overlap');
  });

  await t.test('in French, no English text from the catalogue is left on any screen', async () => {
    const root = new URL('../../ui/static/js/i18n/', import.meta.url);
    const en = (await import(new URL('en.js', root))).default;
    const fr = (await import(new URL('fr.js', root))).default;
    const frText = Object.values(fr).join('\n');
    // the English-only pieces: the literal parts of every English text that French changes
    const pieces = new Set();
    for (const [k, v] of Object.entries(en)) {
      if (fr[k] === v) continue;
      for (const part of v.split(/\{\w+\}/)) {
        const p = part.trim().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
        if (p.length >= 5 && /\s/.test(p) && !frText.includes(p)) pieces.add(p);
      }
    }
    assert.ok(pieces.size > 200, `${pieces.size} English pieces to look for`);
    const chatter = await page.evaluate(async () => {
      const r = await (await fetch('/api/v1/sessions/active/stats?sections=flag_list&channel=raid_channel')).json();
      return r.flags.accounts[0].id;
    });
    await page.goto(s.gw + '/#/channels');
    await page.locator('#lang').selectOption('fr');
    try {
      const screens = [
        ['#/channels', '.channel'],
        ['#/dashboard', '.raids-table'],
        ['#/chatters', '.vt-body .vt-row'],
        [`#/chatter/${chatter}`, '.twitch-link'],
        ['#/overlap', 'table.matrix'],
        ['#/sessions', '.session'],
        ['#/exports', '[data-export]'],
        ['#/settings', '.keys-table, .card'],
      ];
      const left = [];
      for (const [route, ready] of screens) {
        await page.goto(s.gw + '/' + route);
        await page.locator(ready).first().waitFor();
        if (route === '#/dashboard') await page.locator('.flag-table tbody tr').first().waitFor();
        if (route === '#/overlap') {
          await page.locator('table.matrix button.cell').first().click();
          await page.locator('.pair dd[data-field="shared"]').waitFor();
        }
        await page.waitForTimeout(300);
        // the activity panel keeps the messages of actions done earlier in English: left out
        const text = await page.evaluate(() => {
          const act = document.getElementById('activity');
          return document.body.innerText.replace(act ? act.innerText : '', '');
        });
        for (const p of pieces) if (text.includes(p)) left.push(`${route}: “${p}”`);
        if (route === '#/dashboard') {
          // flag details, dates and numbers in French too
          assert.match(await page.locator('.flag-table tbody tr td.details').first().textContent(), /jour de création critique/);
          assert.match(await page.locator('.days-table tbody tr td').first().textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
          await shot(page, 'dashboard-fr');
        }
      }
      assert.deepEqual(left, []);
    } finally {
      await page.locator('#lang').selectOption('en');
      await page.evaluate(() => localStorage.setItem('tca.lang', 'en'));
    }
  });

  await t.test('phone width: every screen fits 390 px, tables stack, the chatter grid shows it scrolls', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const chatter = await page.evaluate(async () => {
        const r = await (await fetch('/api/v1/sessions/active/stats?sections=flag_list&channel=raid_channel')).json();
        return r.flags.accounts[0].id;
      });
      const screens = [
        ['#/channels', '.channel'],
        ['#/dashboard', '.raids-table'],
        ['#/chatters', '.vt-body .vt-row'],
        [`#/chatter/${chatter}`, '.twitch-link'],
        ['#/overlap', 'table.matrix'],
        ['#/sessions', '.session'],
        ['#/exports', '[data-export]'],
        ['#/settings', '.keys-table, .card'],
      ];
      for (const [route, ready] of screens) {
        await page.goto(s.gw + '/' + route);
        await page.locator(ready).first().waitFor();
        if (route === '#/dashboard') {
          await page.locator('.flag-table tbody tr').first().waitFor();
          await page.locator('.days-table tbody tr').first().waitFor();
          // the logins of a creation day open inside the page, not past its edge
          await page.locator('.days-table details summary').first().click();
        }
        await page.waitForTimeout(200);
        const r = await page.evaluate(() => ({
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          wide: [...document.querySelectorAll('main *')]
            .filter((e) => !e.closest('.vt-viewport') && e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
            .join(', '),
        }));
        assert.ok(r.overflow <= 1, `${route}: the page is ${r.overflow}px wider than the screen (${r.wide})`);
        if (route === '#/dashboard') {
          // stacked rows: a flagged account's row is a short card, not a 200 px column of blanks
          await shot(page, 'dashboard-phone');
          const tall = await page.locator('.flag-table tbody tr').first().evaluate((e) => e.getBoundingClientRect().height);
          assert.ok(tall < 110, `a flagged row is ${tall}px tall`);
          const label = await page.locator('.raids-table tbody td').nth(1).evaluate((e) => getComputedStyle(e, '::before').content);
          assert.match(label, /Channel/, 'a stacked cell says which column it is');
        }
        if (route === '#/chatters') {
          // the grid scrolls sideways inside itself, and says so
          const grid = page.locator('[role=grid]');
          const sw = await grid.evaluate((e) => e.scrollWidth - e.clientWidth);
          assert.ok(sw > 0, 'the grid is wider than the screen and scrolls');
          const hint = page.locator('.scroll-hint');
          assert.equal(await hint.isVisible(), true, 'a hint says the table scrolls sideways');
          await grid.evaluate((e) => {
            e.scrollLeft = e.scrollWidth;
            e.dispatchEvent(new Event('scroll'));
          });
          await page.waitForFunction(() => document.querySelector('.vt-wrap').dataset.scrolledEnd === '1');
          await shot(page, 'chatters-phone');
        }
      }
      await page.goto(s.gw + '/#/dashboard');
      await page.waitForFunction(() => document.body.dataset.dashboardReady === '1');
      assert.equal(await page.locator('#nav').isVisible(), false);
      await page.getByRole('button', { name: 'Menu' }).click();
      assert.equal(await page.locator('#nav').isVisible(), true);
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  await t.test('the OBS dock: 300x400, dark, pushed live over its event stream, with a read-only key that never leaves the fragment', async () => {
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    const made = await page.evaluate(async (csrf) => {
      const r = await fetch('/api/v1/keys', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'obs dock', read_only: true }) });
      return r.json();
    }, me.csrf_token);
    const key = made.key;
    assert.match(key, /^tca_/);
    const sum = await page.evaluate(async () => (await fetch('/api/v1/sessions/active')).json());
    const dock = await b.context.newPage();
    const dockErrors = watchErrors(dock);
    const urls = [];
    const auth = [];
    dock.on('request', (req) => {
      urls.push(req.url());
      if (req.url().includes('/api/')) auth.push(req.headers().authorization || '');
    });
    await dock.setViewportSize({ width: 300, height: 400 });
    await dock.goto(`${s.gw}/dock/${sum.id}#key=${key}`);
    const expectNow = sum.channels.reduce((a, c) => a + (c.last_capture ? c.last_capture.chatters : 0), 0);
    await dock.locator('#dock-now', { hasText: new Intl.NumberFormat('en').format(expectNow) }).waitFor();
    await dock.locator('#dock-alert', { hasText: /Bot wave on raid_channel|Raid on raid_channel/ }).waitFor();
    // dark and readable at 300x400: nothing wider than the dock, the number large
    assert.equal(await dock.evaluate(() => document.documentElement.scrollWidth <= 300), true);
    assert.ok(Number((await dock.locator('#dock-now').evaluate((e) => getComputedStyle(e).fontSize)).replace('px', '')) >= 40);
    assert.equal(await dock.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(14, 14, 18)');
    await shot(dock, 'dock');
    // live without polling: the dock reads the gateway's event stream through fetch (the key in
    // a header), so a quiet dock asks nothing; only the 15 s keep-alive may cause one look
    await dock.waitForFunction(() => document.body.dataset.dockStream === 'open', null, { timeout: 15000 });
    const quiet = { asked: 0, beats: Number(await dock.evaluate(() => document.body.dataset.dockBeats || 0)) };
    const countApi = (req) => {
      if (req.url().includes('/api/')) quiet.asked++;
    };
    dock.on('request', countApi);
    await sleep(4500);
    dock.off('request', countApi);
    const beats = Number(await dock.evaluate(() => document.body.dataset.dockBeats || 0)) - quiet.beats;
    assert.ok(quiet.asked <= beats, `${quiet.asked} API requests in 4.5 s of quiet with ${beats} keep-alives: the dock polls`);
    // a capture lands: the dock shows it without a reload, pushed, not polled
    const chan = sum.channels.find((c) => c.login === 'raid_channel');
    await s.simPost('/_sim/advance?ticks=1');
    const before = await dock.evaluate(() => ({
      updates: Number(document.body.dataset.dockUpdates),
      pushes: Number(document.body.dataset.dockPushes || 0),
      polls: Number(document.body.dataset.dockPolls || 0),
    }));
    const cap = await page.evaluate(
      async ([id, csrf]) => (await fetch(`/api/v1/sessions/active/channels/${id}/capture`, { method: 'POST', headers: { 'X-CSRF-Token': csrf } })).json(),
      [chan.id, me.csrf_token],
    );
    let done = 0;
    for (let i = 0; i < 300 && !done; i++) {
      const j = await page.evaluate(async (id) => (await fetch(`/api/v1/jobs/${id}`)).json(), cap.job_id);
      assert.notEqual(j.state, 'failed', j.error);
      if (j.state === 'done') done = Date.now();
      else await sleep(50);
    }
    assert.ok(done, 'the capture finished');
    await dock.waitForFunction((n) => Number(document.body.dataset.dockUpdates) > n, before.updates, { timeout: 15000 });
    const ms = Date.now() - done;
    console.log(`dock: updated ${ms} ms after the capture job was seen done (pushed over the event stream)`);
    const after = await page.evaluate(async () => (await fetch('/api/v1/sessions/active')).json());
    assert.equal(after.channels.find((c) => c.id === chan.id).last_capture.seq, chan.last_capture.seq + 1);
    await dock.waitForFunction(
      (want) => document.getElementById('dock-now').textContent === want,
      new Intl.NumberFormat('en').format(after.channels.reduce((a, c) => a + (c.last_capture ? c.last_capture.chatters : 0), 0)),
      { timeout: 15000 },
    );
    await dock.locator('#dock-joined', { hasText: '+' }).waitFor();
    const pushed = await dock.evaluate(() => ({ pushes: Number(document.body.dataset.dockPushes || 0), polls: Number(document.body.dataset.dockPolls || 0) }));
    assert.ok(pushed.pushes > before.pushes, 'the update came from a pushed event');
    assert.equal(pushed.polls, before.polls, 'the dock did not poll while its stream was open');
    // the gateway refuses the stream (503: too many streams open): the dock polls instead
    await dock.route('**/events', (route) =>
      route.fulfill({ status: 503, headers: { 'Retry-After': '30', 'Content-Type': 'application/json' }, body: '{"error":"unavailable"}' }),
    );
    await dock.reload();
    await dock.waitForFunction(() => document.body.dataset.dockStream === 'down' && Number(document.body.dataset.dockPolls || 0) >= 2, null, {
      timeout: 20000,
    });
    await dock.unroute('**/events');
    // the key went only in the Authorization header: never in a URL, never in the log
    assert.ok(auth.length >= 2 && auth.every((h) => h === `Bearer ${key}`), 'every API call carries the key as a header');
    assert.equal(urls.filter((u) => u.includes(key.slice(4))).length, 0, 'no request URL holds the key');
    assert.doesNotMatch(s.log(), new RegExp(key.slice(4)));
    // a key in the query string is refused; a read-write key is not used
    assert.equal((await fetch(`${s.gw}/dock/${sum.id}?key=${key}`)).status, 400);
    const rw = await page.evaluate(async (csrf) => {
      const r = await fetch('/api/v1/keys', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'rw' }) });
      return r.json();
    }, me.csrf_token);
    await dock.goto(`${s.gw}/dock/${sum.id}#key=${rw.key}`);
    await dock.reload();
    await dock.locator('#dock-status', { hasText: 'read-only' }).waitFor();
    assert.equal(await dock.locator('#dock-now').textContent(), '—');
    await dock.close();
    assert.deepEqual(unexpected(dockErrors), []);
  });

  await t.test('saves a session with a label, shows the limit, and deletes a session', async () => {
    await page.goto(s.gw + '/#/sessions');
    const active = page.locator('.session').first();
    await active.waitFor();
    assert.match(await page.locator('.limit').textContent(), /Saved sessions: 0 of 10/);
    await active.getByLabel('Label').fill('Friday stream');
    let r = await runAction(active.getByRole('button', { name: 'Save' }));
    assert.equal(r.state, 'done', r.text);
    await page.getByRole('heading', { name: 'Friday stream' }).waitFor();
    assert.match(await page.locator('.limit').textContent(), /Saved sessions: 1 of 10/);
    // a periodic capture runs: a new session offers to carry it over, ticked by default
    const api = (method, path, body) =>
      page.evaluate(
        async ([m, p, b]) => {
          const me = await (await fetch('/api/v1/me')).json();
          const r = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token }, body: b ? JSON.stringify(b) : undefined });
          return { status: r.status, body: await r.json().catch(() => null) };
        },
        [method, path, body],
      );
    const chan = await page.evaluate(async () => (await (await fetch('/api/v1/channels')).json()).channels.find((c) => c.login === 'chan_03').id);
    assert.equal((await api('PUT', `/api/v1/sessions/active/channels/${chan}/schedule`, { interval_s: 3600 })).status, 200);
    const oldActive = await page.evaluate(async () => (await (await fetch('/api/v1/sessions/active')).json()).id);
    // a new active session; the saved one stays
    await page.getByRole('button', { name: 'Start a new session' }).click();
    const carry = page.locator('dialog[open]').getByLabel(/Keep capturing in the new session the 1 channels/);
    assert.equal(await carry.isChecked(), true, 'carrying the periodic captures over is the default');
    assert.match(await page.locator('dialog[open]').textContent(), /chan_03 every 3600 s/);
    await page.locator('dialog[open]').getByRole('button', { name: 'Start a new session' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.session').length === 2);
    assert.match(await newestActivity.textContent(), /1 periodic captures carried over/);
    const now = await page.evaluate(async () => (await (await fetch('/api/v1/sessions/active')).json()).channels);
    assert.deepEqual(
      now.filter((c) => c.periodic).map((c) => [c.login, c.interval_s]),
      [['chan_03', 3600]],
      'the schedule runs on in the new session',
    );
    // the ended session says so, and its dashboard shows no live state nor periodic badge
    await page.locator('.session', { hasText: 'Friday stream' }).getByText(/^ended /).waitFor();
    await page.goto(s.gw + `/#/dashboard/${oldActive}`);
    await page.waitForFunction(() => document.body.dataset.dashboardReady === '1');
    await page.locator('.live-state', { hasText: /^Ended · last capture / }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pause updates' }).count(), 0);
    assert.equal(await page.locator('.current-list .badge.ok').count(), 0, 'no "every N s" badge');
    // without the box ticked, the schedules stop with the session (API: no carry_schedules)
    const plain = await api('POST', '/api/v1/sessions', {});
    assert.equal(plain.status, 201);
    assert.equal(plain.body.carried_schedules, 0);
    const after = await page.evaluate(async () => (await (await fetch('/api/v1/sessions/active')).json()).channels);
    assert.equal(after.filter((c) => c.periodic).length, 0);
    assert.equal((await api('POST', '/api/v1/sessions', { carry_schedules: 'yes' })).status, 400);
    await page.goto(s.gw + '/#/sessions');
    await page.waitForFunction(() => document.querySelectorAll('.session').length === 3);
    await shot(page, 'sessions');
    // the new session has no capture: its dashboard says so instead of "0 s" and a full bar
    await page.goto(s.gw + '/#/dashboard');
    await page.waitForFunction(() => document.body.dataset.dashboardReady === '1');
    const values = await page.locator('.kpi .kpi-value').allTextContents();
    assert.deepEqual(values, ['—', '—', '—', '—', '0', '—']);
    assert.equal(await page.locator('.split-bar .seg').count(), 0, 'no bar for 0 of 0');
    assert.doesNotMatch(await page.locator('main').textContent(), /0 s|stay under/);
    await page.goto(s.gw + '/#/sessions');
    await page.waitForFunction(() => document.querySelectorAll('.session').length === 3);
    const saved = page.locator('.session', { hasText: 'Friday stream' });
    // cancelling keeps it
    await saved.getByRole('button', { name: 'Delete' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('.session').count(), 3);
    const captures = await page.evaluate(async () => {
      const list = await (await fetch('/api/v1/sessions')).json();
      return list.sessions.find((x) => x.label === 'Friday stream').captures;
    });
    assert.ok(captures >= 15, `the saved session holds the test's captures (${captures})`);
    await saved.getByRole('button', { name: 'Delete' }).click();
    assert.match(await page.locator('dialog[open] .confirm-message').textContent(), new RegExp(`Delete “Friday stream” and its ${captures} captures`));
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.session').length === 2);
    assert.equal(await newestActivity.getAttribute('data-state'), 'done');
    assert.match(await page.locator('.limit').textContent(), /Saved sessions: 0 of 10/);
  });

  await t.test('creates an API key shown once, which works until revoked', async () => {
    await page.goto(s.gw + '/#/settings');
    await page.getByLabel('Name', { exact: true }).fill('ci script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const keyInput = page.getByRole('textbox', { name: 'Your new API key' });
    await keyInput.waitFor();
    const key = await keyInput.inputValue();
    assert.match(key, /^tca_/);
    const me = await fetch(s.gw + '/api/v1/me', { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    const keyRow = page.locator('.keys-table tr', { hasText: 'ci script' });
    await keyRow.waitFor();
    assert.doesNotMatch(await page.locator('.keys-table').textContent(), new RegExp(key.slice(12)), 'the list never shows the key');
    await page.getByRole('button', { name: 'Hide' }).click();
    assert.equal(await page.getByRole('textbox', { name: 'Your new API key' }).count(), 0);
    await shot(page, 'settings');
    await keyRow.getByRole('button', { name: 'Revoke key ci script' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('.keys-table tr[data-revoked="true"]', { hasText: 'ci script' }).waitFor();
    const after = await fetch(s.gw + '/api/v1/me', { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(after.status, 401);
  });

  await t.test('known bots: add, import, remove; capture interval default', async () => {
    await page.goto(s.gw + '/#/settings');
    const countBots = async () => {
      const cap = page.locator('.bots-table caption');
      return (await cap.count()) ? Number((await cap.textContent()).match(/[\d,]+/)[0].replace(/,/g, '')) : 0;
    };
    await page.locator('.bots-table, .card p.hint').first().waitFor();
    await page.waitForTimeout(300);
    const before = await countBots();
    await page.getByLabel('Login', { exact: true }).fill('My_Helper_Bot');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('.bots-table tr[data-login="my_helper_bot"]').waitFor();
    await page.getByLabel('CSV file').setInputFiles({ name: 'bots.csv', mimeType: 'text/csv', buffer: Buffer.from('login,kind\nui_test_service,service\nui_test_lurker_1,lurker\n') });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('.bots-table tr[data-login="ui_test_lurker_1"]').waitFor();
    assert.equal(await countBots(), before + 3);
    await page.getByRole('button', { name: 'Remove my_helper_bot' }).click();
    await page.locator('.bots-table tr[data-login="my_helper_bot"]').waitFor({ state: 'detached' });
    assert.equal(await countBots(), before + 2);
    await page.getByLabel('Default interval (seconds)').fill('45');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal(await page.evaluate(() => localStorage.getItem('tca.interval')), '45');
    await page.goto(s.gw + '/#/channels');
    assert.equal(await page.locator('.channel').first().getByLabel('Interval (s)').inputValue(), '45');
  });

  await t.test('webhooks and the watchlist: URL masked, secret once, test, delete; watch, import, remove', async () => {
    await page.goto(s.gw + '/#/settings');
    const hooks = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Webhooks' }) });
    await hooks.locator('.hooks-table, p.hint').first().waitFor();
    await hooks.getByLabel('Kind').selectOption('json');
    await hooks.getByLabel('URL').fill('http://127.0.0.1:9/hook/very-secret-token');
    await hooks.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await hooks.locator('.hook-secret').inputValue();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const row = hooks.locator('.hooks-table tr[data-hook-id]').first();
    await row.waitFor();
    assert.match(await row.textContent(), /http:\/\/127\.0\.0\.1:9\/…/);
    assert.doesNotMatch(await hooks.textContent(), /very-secret-token/, 'the URL is only shown masked');
    await row.getByRole('button', { name: 'Test' }).click();
    await hooks.locator('.deliveries-table tr[data-delivery-state]').first().waitFor({ timeout: 20000 });
    await row.getByRole('button', { name: 'Delete' }).click();
    await hooks.locator('.hooks-table tr[data-hook-id]').first().waitFor({ state: 'detached' });

    const watch = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Watchlist' }) });
    await watch.getByLabel('Login or id').fill('Watched_One');
    await watch.getByLabel('Reason').fill('spam');
    await watch.getByRole('button', { name: 'Watch', exact: true }).click();
    await watch.locator('.watch-table tr', { hasText: 'watched_one' }).waitFor();
    await watch.getByLabel('Watchlist file (.csv)').setInputFiles({ name: 'watch.csv', mimeType: 'text/csv', buffer: Buffer.from('login,user_id,reason,note\n,12345,raid,"from, another channel"\n') });
    await watch.getByRole('button', { name: 'Load the list' }).click();
    const byId = watch.locator('.watch-table tr', { hasText: '#12345' });
    await byId.waitFor();
    assert.match(await byId.textContent(), /from, another channel/);
    await byId.getByRole('button', { name: 'Remove' }).click();
    await byId.waitFor({ state: 'detached' });
    await shot(page, 'settings-alerts');
  });

  await t.test('switches the language to French and back', async () => {
    await page.goto(s.gw + '/#/channels');
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
    try {
      await page.locator('#lang').selectOption('fr');
      await page.getByRole('heading', { name: 'Chaînes' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
      assert.equal(await page.getByRole('link', { name: 'Tableau de bord', exact: true }).count(), 1);
      // the captured channels move first once the session's summary arrives: wait for that order
      await page.locator('.channel').first().getByRole('button', { name: 'Capturer maintenant' }).waitFor({ timeout: 15000 });
      await page.reload();
      await page.getByRole('heading', { name: 'Chaînes' }).waitFor();
      await page.goto(s.gw + '/#/dashboard');
      await page.waitForFunction(() => document.body.dataset.dashboardReady === '1');
      await page.getByRole('heading', { name: /Tableau de bord/ }).waitFor();
      await page.locator('#lang').selectOption('en');
      await page.getByRole('heading', { name: /^Dashboard/ }).waitFor();
    } finally {
      await page.evaluate(() => localStorage.setItem('tca.lang', 'en'));
    }
  });

  await t.test('every control has a name for screen readers; keyboard reaches the navigation', async () => {
    for (const route of ['#/channels', '#/dashboard', '#/chatters', '#/sessions', '#/exports', '#/settings', '#/overlap']) {
      await page.goto(s.gw + '/' + route);
      await page.waitForTimeout(600);
      const unnamed = await page.evaluate(() => {
        const bad = [];
        for (const el of document.querySelectorAll('button, a[href], input, select, textarea, [role=grid]')) {
          if (el.closest('[hidden]') || el.type === 'hidden' || el.closest('.u-legend')) continue;
          const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.textContent || '').trim() || el.title;
          if (!labelled) bad.push(el.outerHTML.slice(0, 120));
        }
        return bad;
      });
      assert.deepEqual(unnamed, [], `${route}: unnamed controls`);
    }
    await page.goto(s.gw + '/#/channels');
    await page.locator('.channel').first().waitFor();
    // the skip link comes first in the tab order, then the brand and the navigation
    assert.equal(await page.evaluate(() => document.querySelector('a[href], button, input, select').className), 'skip-link');
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'brand');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Channels');
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  });

  await t.test('a login Twitch revoked ends on the "logged out" page', async () => {
    const add = (path, status) =>
      fetch(s.sim + '/_sim/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ path, status, count: 50 }) });
    for (const [p, st] of [['/oauth2/validate', 401], ['/oauth2/token', 400], ['/helix/users', 401], ['/helix/moderation/channels', 401]]) await add(p, st);
    await page.goto(s.gw + '/#/channels');
    await page.getByRole('button', { name: 'Refresh from Twitch' }).click();
    await page.getByRole('heading', { name: 'You are logged out' }).waitFor();
    assert.match(await page.getByRole('alert').textContent(), /revoked|no longer accepts/);
    assert.ok(await page.getByRole('link', { name: 'Log in again with Twitch' }).isVisible());
    await shot(page, 'login-lost');
    await fetch(s.sim + '/_sim/faults', { method: 'DELETE' });
  });

  await t.test('no script error and no CSP violation in the whole run', () => {
    assert.deepEqual(unexpected(errors), []);
  });
});
