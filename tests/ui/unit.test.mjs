// Unit tests of the UI's pure parts, run by node without a browser: the English and French
// tables have the same keys and placeholders and cover every key the code uses; the chatter
// table's filtering and sorting; the dashboard's chart data (time or capture axis, raid vs
// bot-wave markers) and creation-day grouping; and the gateway-side rules the UI relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const STATIC = path.join(ROOT, 'ui/static');
// the modules use browser globals only inside functions; a minimal window is enough
globalThis.window = globalThis.window || { addEventListener() {}, dispatchEvent() {} };
globalThis.localStorage = { getItem: () => 'en', setItem() {} };
globalThis.document = { documentElement: {}, querySelectorAll: () => [] };
globalThis.CustomEvent = class {};

const en = (await import(path.join(STATIC, 'js/i18n/en.js'))).default;
const fr = (await import(path.join(STATIC, 'js/i18n/fr.js'))).default;

test('English and French have the same keys and placeholders', () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const k of Object.keys(en)) {
    const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(ph(fr[k]), ph(en[k]), k);
  }
});

test('every text key used by the code and the page exists', () => {
  const files = fs.readdirSync(path.join(STATIC, 'js'), { recursive: true }).filter((f) => f.endsWith('.js'));
  const used = new Set();
  for (const f of files) {
    const src = fs.readFileSync(path.join(STATIC, 'js', f), 'utf8');
    for (const m of src.matchAll(/\bt\('([a-z_.0-9]+)'/g)) used.add(m[1]);
  }
  const html = ['index.html', 'dock.html'].map((f) => fs.readFileSync(path.join(STATIC, f), 'utf8')).join('\n');
  for (const m of html.matchAll(/data-i18n(?:-label|-title)?="([a-z_.]+)"/g)) used.add(m[1]);
  const missing = [...used].filter((k) => !k.endsWith('.') && !(k in en));
  assert.deepEqual(missing, []);
  for (const r of ['known_bot', 'wave', 'cluster', 'multi_channel', 'renamer']) assert.ok(en['reason.' + r], r);
  for (const l of ['critical', 'suspect', 'watch', 'normal']) assert.ok(en['level.' + l], l);
  for (const j of ['queued', 'running', 'done', 'failed']) assert.ok(en['job.' + j], j);
});

test('the pages have no inline script or style (CSP)', () => {
  const html = ['index.html', 'dock.html'].map((f) => fs.readFileSync(path.join(STATIC, f), 'utf8')).join('\n');
  for (const m of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /src=/);
    assert.equal(m[2].trim(), '');
  }
  assert.doesNotMatch(html, /\sstyle=|<style|\son[a-z]+=/);
  for (const f of fs.readdirSync(path.join(STATIC, 'js'), { recursive: true }).filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(STATIC, 'js', f), 'utf8');
    assert.doesNotMatch(src, /innerHTML|insertAdjacentHTML|eval\(|new Function/, f);
  }
});

test('chatter table: the page query and the page cache', async () => {
  const { pageQuery, PageCache } = await import(path.join(STATIC, 'js/views/chatters.js'));
  const st = { search: '  Bob ', filter: 'flagged', hideBots: true, sort: 'login', dir: 'asc', channel: 'raid_channel' };
  assert.equal(pageQuery(st, 400, 200), '?offset=400&limit=200&sort=login&order=asc&q=Bob&filter=flagged&exclude_bots=1&channel=raid_channel');
  assert.equal(pageQuery({ search: '', filter: 'all', hideBots: false, sort: 'time_present_s', dir: 'desc', channel: '' }, 0, 200), '?offset=0&limit=200&sort=time_present_s&order=desc');
  // a fake server of 1,000 rows: each page asked once, at most maxPages kept, old answers dropped
  const asked = [];
  const load = async (offset, limit) => {
    asked.push(offset);
    return { total: 1000, chatters: 1000, rows: Array.from({ length: Math.min(limit, 1000 - offset) }, (_, i) => ({ id: String(offset + i) })) };
  };
  let answers = 0;
  const c = new PageCache(load, () => answers++, { pageSize: 10, maxPages: 3 });
  assert.equal(c.row(5), undefined);
  assert.equal(c.row(7), undefined); // the same page, still on its way: not asked twice
  await c.fetch(0);
  assert.deepEqual(asked, [0]);
  assert.equal(c.row(7).id, '7');
  for (const p of [1, 2, 3]) await c.fetch(p);
  assert.equal(c.pages.size, 3);
  assert.ok(!c.pages.has(0), 'the least recently used page went');
  const late = c.fetch(50);
  c.reset();
  assert.equal(await late, null);
  assert.equal(c.pages.size, 0);
  assert.equal(answers, 4);
});

test('dashboard: chart data, raid and wave markers, creation months', async () => {
  const { timelineData, ageBuckets, reasonList } = await import(path.join(STATIC, 'js/views/dashboard.js'));
  const ch = {
    login: 'raid_channel',
    series: [
      { seq: 1, taken_at: '2026-01-01T10:00:00Z', chatters: 300, joined: 300, left: 0, new_to_channel: 300 },
      { seq: 2, taken_at: '2026-01-01T10:01:00Z', chatters: 900, joined: 607, left: 7, new_to_channel: 607 },
      { seq: 3, taken_at: '2026-01-01T10:02:00Z', chatters: 1000, joined: 166, left: 66, new_to_channel: 166 },
    ],
    raids: [
      { seq: 2, taken_at: '2026-01-01T10:01:00Z', joined: 607, in_wave: 0, wave_share: 0 },
      { seq: 3, taken_at: '2026-01-01T10:02:00Z', joined: 166, in_wave: 150, wave_share: 0.9 },
    ],
  };
  const d = timelineData([ch]);
  assert.equal(d.time, true);
  assert.deepEqual(d.lines[0].values, [300, 900, 1000]);
  // the first capture is who was already there, shown apart, not 300 "joined"
  assert.deepEqual(d.joined, [0, 607, 166]);
  assert.equal(d.initial, 300);
  assert.equal(d.normalised, false);
  assert.deepEqual(d.raids.map((r) => r.kind), ['raid', 'wave']);
  assert.equal(d.raids[0].x, Date.parse('2026-01-01T10:01:00Z') / 1000);
  // two captures in the same second: the axis becomes the capture number
  const same = structuredClone(ch);
  same.series[1].taken_at = same.series[0].taken_at;
  const d2 = timelineData([same]);
  assert.equal(d2.time, false);
  assert.deepEqual(d2.x, [1, 2, 3]);
  assert.equal(d2.raids[1].x, 3);
  // two channels are aligned on one axis, the movement bars add up
  const other = { login: 'cozy', series: [{ seq: 1, taken_at: '2026-01-01T10:01:00Z', chatters: 50, joined: 5, left: 1, new_to_channel: 2 }], raids: [] };
  const d3 = timelineData([ch, other]);
  assert.deepEqual(d3.lines[1].counts, [null, 50, null]);
  assert.deepEqual(d3.lines[1].values, [null, 100, null], '1,000 against 50: shares of each peak');
  assert.deepEqual(d3.joined, [0, 607, 166]);
  assert.equal(d3.initial, 350);
  // a channel 10 times bigger than another: each line is the share of its own peak
  const small = { login: 'small', series: [{ seq: 1, taken_at: '2026-01-01T10:00:00Z', chatters: 50, joined: 50, left: 0, new_to_channel: 50 }, { seq: 2, taken_at: '2026-01-01T10:02:00Z', chatters: 100, joined: 60, left: 10, new_to_channel: 60 }], raids: [] };
  const d4 = timelineData([ch, small]);
  assert.equal(d4.normalised, true);
  assert.deepEqual(d4.lines[0].values, [30, 90, 100]);
  assert.deepEqual(d4.lines[1].values, [50, null, 100]);
  assert.deepEqual(d4.lines[1].counts, [50, null, 100]);
  assert.equal(timelineData([ch, { ...small, series: small.series.map((s) => ({ ...s, chatters: s.chatters * 2 })) }]).normalised, false);
  const many = { buckets: Array.from({ length: 200 }, (_, i) => ({ start: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10), count: 1 })) };
  const ab = ageBuckets(many);
  assert.equal(ab.byMonth, true);
  assert.equal(ab.counts.reduce((a, b) => a + b, 0), 200);
  assert.equal(ab.counts[0], 31);
  assert.deepEqual(reasonList('wave|cluster'), ['wave', 'cluster']);
  assert.deepEqual(reasonList(['wave']), ['wave']);
  assert.deepEqual(reasonList(''), []);
});

test('chat panel: minutes and captures on one time axis, sentiment only when sent, null means as gaps', async () => {
  const { chatChartData, hasSentiment, pickBlocks, statusNote } = await import(path.join(STATIC, 'js/views/dashboard_chat.js'));
  const m0 = Date.parse('2026-12-01T20:00:00Z');
  const plain = { timeline: [{ minute_ms: m0, messages: 7, talkers: 3 }, { minute_ms: m0 + 60000, messages: 2, talkers: 1 }] };
  const caps = [{ taken_at: '2026-12-01T20:00:30Z', chatters: 50 }, { taken_at: '2026-12-01T20:01:00Z', chatters: 55 }];
  let d = chatChartData(plain, caps);
  assert.deepEqual(d.x, [m0 / 1000, m0 / 1000 + 30, m0 / 1000 + 60]);
  // a point a series lacks is undefined (uPlot skips it), never 0
  assert.deepEqual(d.messages, [7, undefined, 2]);
  assert.deepEqual(d.talkers, [3, undefined, 1]);
  assert.deepEqual(d.chatters, [undefined, 50, 55]);
  assert.equal(d.sentiment, false);
  assert.equal(hasSentiment(plain), false);
  const scored = {
    sentiment_mean: 0.5,
    scored: 4,
    timeline: [
      { minute_ms: m0, messages: 7, talkers: 3, scored: 0, sentiment_mean: null, positive: 0, negative: 0 },
      { minute_ms: m0 + 60000, messages: 2, talkers: 1, scored: 4, sentiment_mean: 0.5, positive: 3, negative: 1 },
    ],
  };
  d = chatChartData(scored, []);
  assert.equal(d.sentiment, true);
  assert.deepEqual(d.mean, [null, 0.5], 'nothing scored is a gap, not a zero');
  assert.deepEqual(d.positive, [0, 3]);
  assert.deepEqual(d.negative, [0, -1], 'negative messages are drawn below zero');
  assert.equal(chatChartData({ sentiment_mean: null, scored: 0, timeline: [] }, []).sentiment, true);
  assert.equal(chatChartData(null, caps).x.length, 2);
  assert.equal(statusNote(''), null);
  assert.equal(statusNote('Twitch refused channel.chat.message on channel 20005: missing scope user:read:chat').kind, 'scope');
  assert.equal(statusNote('no usable Twitch token: log in again').kind, 'relogin');
  assert.equal(statusNote('Twitch revoked channel.chat.message on channel 20005: authorization_revoked').kind, 'revoked');
  assert.equal(statusNote('something else').kind, 'other');
  // many channels: the busiest drawn in full, every one in the summary table
  const chans = ['a', 'b', 'c', 'd', 'e', 'f'].map((login, i) => ({ login, messages: [5, 50, 0, 7, 50, 1][i] }));
  assert.deepEqual(pickBlocks(chans.slice(0, 4)), { full: chans.slice(0, 4), summary: false });
  const p = pickBlocks(chans, 4);
  assert.equal(p.summary, true);
  assert.deepEqual(p.full.map((c) => c.login), ['b', 'e', 'd', 'a']);
});

test('flag details are read back from the API’s English and written in the chosen language', async () => {
  const { flagDetails } = await import(path.join(STATIC, 'js/flags.js'));
  const text = 'created 2025-06-14, a critical creation day (150 accounts); login cluster coolviewer_* (99 accounts, 1..99); in 3 channels at once; 4 renames (old_name -> new_name); known bot; something new';
  assert.equal(
    flagDetails(text),
    'created 6/14/2025, a critical creation day (150 accounts); login cluster coolviewer_* (99 accounts, 1..99); in 3 channels at once; 4 renames (old_name → new_name); on the known-bots list; something new',
  );
  const i18n = await import(path.join(STATIC, 'js/i18n.js'));
  i18n.setLang('fr');
  try {
    assert.equal(
      flagDetails(text),
      'créé le 14/06/2025, un jour de création critique (150 comptes); série d’identifiants coolviewer_* (99 comptes, 1..99); sur 3 chaînes à la fois; 4 renommages (old_name → new_name); dans la liste des bots connus; something new',
    );
  } finally {
    i18n.setLang('en');
  }
  assert.equal(flagDetails(''), '');
});

test('the event-stream parser reads events cut anywhere, comments and retry, per the SSE grammar', async () => {
  const { parseEvents } = await import(path.join(STATIC, 'js/sse.js'));
  const events = [];
  const comments = [];
  const retries = [];
  const push = parseEvents({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onRetry: (ms) => retries.push(ms) });
  const body = '\ufeffretry: 3000\nevent: hello\ndata: {"captures":4}\n\n: keep-alive\n\n' +
    'event: capture\r\ndata: {"captures":5}\r\n\r\ndata:a\ndata: b\nid: 7\n\nevent: empty\n\ndata: unfinished';
  // fed one character at a time: a CRLF split across chunks is one line end, not two
  for (const ch of body) push(ch);
  assert.deepEqual(events, [
    { event: 'hello', data: '{"captures":4}', id: '' },
    { event: 'capture', data: '{"captures":5}', id: '' },
    { event: 'message', data: 'a\nb', id: '7' },
  ]);
  assert.deepEqual(comments, ['keep-alive']);
  assert.deepEqual(retries, [3000]);
  // the same body in one chunk gives the same events; an event without its blank line is not one
  const again = [];
  parseEvents({ onEvent: (e) => again.push(e) })(body);
  assert.deepEqual(again, events);
});

test('the OBS dock reconnects its event stream after 1 s, doubling to at most 30 s', async () => {
  const { backoffMs } = await import(path.join(STATIC, 'js/dock.js'));
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffMs(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('the OBS dock adds up the channels’ latest captures and shows the latest raid or wave', async () => {
  const { dockNumbers, latestAlert } = await import(path.join(STATIC, 'js/dock.js'));
  const summary = {
    channels: [
      { id: 1, last_capture: { seq: 4, taken_at: '2026-01-01T10:03:00Z', chatters: 900, joined: 40, left: 7 } },
      { id: 2, last_capture: { seq: 2, taken_at: '2026-01-01T10:04:00Z', chatters: 50, joined: 5, left: 1 } },
      { id: 3 },
    ],
  };
  assert.deepEqual(dockNumbers(summary), { now: 950, joined: 45, left: 8, at: '2026-01-01T10:04:00Z' });
  assert.equal(dockNumbers({ channels: [{ id: 3 }] }), null);
  const doc = {
    channels: [
      { login: 'a', raids: [{ seq: 3, taken_at: '2026-01-01T10:02:00Z', joined: 600, in_wave: 0, wave_share: 0 }] },
      { login: 'b', raids: [{ seq: 2, taken_at: '2026-01-01T10:04:00Z', joined: 160, in_wave: 150, wave_share: 0.94 }] },
    ],
  };
  const a = latestAlert(doc);
  assert.equal(a.wave, true);
  assert.match(a.text, /^Bot wave on b at .*: \+160, 150 fresh accounts$/);
  assert.equal(latestAlert({ channels: [{ login: 'a', raids: [] }] }), null);
});
