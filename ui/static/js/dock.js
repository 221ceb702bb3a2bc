// The OBS dock (/dock/{session}#key=...): chatters now, +joined / −left at the latest capture,
// and the latest raid or bot-wave alert, updated as soon as a capture lands. It authenticates
// with a read-only API key read from the URL fragment, which the browser never sends to a
// server; the key goes only in the Authorization header of the page's own API calls (no
// cookie is sent). That is why it reads the gateway's Server-Sent Events through fetch()
// (EventSource cannot send a header); while the stream is down it polls, and reconnects with
// a growing delay. It refuses a key that can change things, and never puts the key in a URL.
import { applyStatic, fmtInt, fmtTime, t } from './i18n.js';
import { openStream } from './sse.js';

/** Polling period while the event stream is down (refused with 503, or reconnecting). */
export const DOCK_POLL_MS = 2000;

/** Delay before reconnect attempt n (0 first): 1 s doubling to at most 30 s. */
export function backoffMs(attempt, base = 1000, cap = 30000) {
  return Math.min(cap, base * 2 ** Math.min(attempt, 15));
}

/** The numbers the dock shows, from a session summary: sums over its channels. */
export function dockNumbers(summary) {
  const caps = (summary.channels || []).map((c) => c.last_capture).filter(Boolean);
  if (!caps.length) return null;
  const sum = (k) => caps.reduce((a, c) => a + c[k], 0);
  const latest = caps.map((c) => c.taken_at).sort().at(-1);
  return { now: sum('chatters'), joined: sum('joined'), left: sum('left'), at: latest };
}

/** The latest raid or bot wave of a stats document, or null. */
export function latestAlert(doc) {
  const all = (doc.channels || []).flatMap((c) => (c.raids || []).map((r) => ({ ...r, login: c.login })));
  if (!all.length) return null;
  all.sort((a, b) => Date.parse(a.taken_at) - Date.parse(b.taken_at));
  const r = all.at(-1);
  const wave = r.in_wave > 0 && r.wave_share >= 0.5;
  return { wave, text: t(wave ? 'dock.wave' : 'dock.raid', { channel: r.login, time: fmtTime(r.taken_at), joined: fmtInt(r.joined), wave: fmtInt(r.in_wave) }) };
}

function keyFromFragment() {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('key') || '';
}

async function call(path, key) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
  if (!r.ok) {
    const e = new Error(r.status === 401 ? t('dock.bad_key') : `${r.status}`);
    e.status = r.status;
    throw e;
  }
  return r.json();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function bump(name) {
  document.body.dataset[name] = String(Number(document.body.dataset[name] || 0) + 1);
}

async function main() {
  applyStatic();
  const el = (id) => document.getElementById(id);
  const status = el('dock-status');
  const fail = (msg) => {
    status.textContent = msg;
    status.classList.add('error');
  };
  const session = decodeURIComponent(location.pathname.split('/')[2] || '');
  const key = keyFromFragment();
  if (!key) return fail(t('dock.no_key'));
  try {
    const me = await call('/api/v1/me', key);
    if (!me.read_only) return fail(t('dock.not_read_only'));
  } catch (e) {
    return fail(e.message);
  }

  let sig = '';
  let shown = { id: null, captures: -1, active: true };
  let ac = null; // aborts the open stream
  let streamId = null; // the session the open stream is about
  async function update() {
    const s = await call(`/api/v1/sessions/${encodeURIComponent(session)}`, key);
    const n = dockNumbers(s);
    el('dock-now').textContent = n ? fmtInt(n.now) : '—';
    el('dock-joined').textContent = n ? '+' + fmtInt(n.joined) : '+—';
    el('dock-left').textContent = n ? '−' + fmtInt(n.left) : '−—';
    el('dock-since').textContent = n ? t('dock.at', { time: fmtTime(n.at) }) : t('dock.no_capture');
    const now = (s.channels || []).map((c) => `${c.id}:${c.last_capture ? c.last_capture.seq : 0}`).join(',');
    if (now !== sig) {
      sig = now;
      const doc = await call(`/api/v1/sessions/${s.id}/stats?sections=raids`, key);
      const a = latestAlert(doc);
      const box = el('dock-alert');
      box.hidden = !a;
      box.classList.toggle('wave', !!(a && a.wave));
      box.textContent = a ? a.text : '';
    }
    status.classList.remove('error');
    status.textContent = s.active ? t('dock.updated', { time: fmtTime(new Date().toISOString()) }) : t('dock.ended');
    shown = { id: s.id, captures: s.captures, active: s.active };
    // the session ended, or /dock/active now shows another one: the stream loop follows
    if (ac && streamId !== null && (streamId !== s.id || !s.active)) ac.abort();
    bump('dockUpdates');
  }

  // One update at a time: an event arriving during an update asks for one more after it.
  let running = null;
  let again = false;
  async function refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await update();
        } catch (e) {
          fail(e.message);
        }
      } while (again);
      running = null;
    })();
    return running;
  }

  // Polling only while the stream is down.
  let streamUp = false;
  let pollTimer = null;
  function poll() {
    if (pollTimer || streamUp || !shown.active) return;
    pollTimer = setTimeout(async () => {
      pollTimer = null;
      if (streamUp) return;
      bump('dockPolls');
      await refresh();
      poll();
    }, DOCK_POLL_MS);
  }

  // The stream of the session shown. Events say only "a capture landed", so an ended session
  // or, with /dock/active, a newly started one is seen at the next keep-alive comment.
  async function stream() {
    for (let attempt = 0; shown.active; ) {
      const id = shown.id;
      if (id === null) { /* the first look failed: poll until it works */
        poll();
        await sleep(backoffMs(attempt++));
        continue;
      }
      ac = new AbortController();
      streamId = id;
      let wait = 0;
      try {
        await openStream(`/api/v1/sessions/${id}/events`, {
          headers: { Authorization: `Bearer ${key}` },
          signal: ac.signal,
          onOpen: () => {
            streamUp = true;
            attempt = 0;
            document.body.dataset.dockStream = 'open';
          },
          onEvent: (ev) => {
            let captures = -1;
            try {
              captures = JSON.parse(ev.data).captures;
            } catch {
              /* an event only says "look again" */
            }
            if (ev.event === 'capture') bump('dockPushes');
            if (ev.event === 'capture' || captures !== shown.captures) refresh();
          },
          // every 15 s: the one look that sees the session end, or /dock/active move on
          onComment: () => {
            bump('dockBeats');
            refresh();
          },
        });
      } catch (e) {
        if (e.status === 401 || e.status === 403) {
          streamUp = false;
          return fail(e.status === 401 ? t('dock.bad_key') : e.message);
        }
        if (e.status === 503) wait = e.retryAfter * 1000; /* too many streams: poll meanwhile */
      }
      streamUp = false;
      streamId = null;
      document.body.dataset.dockStream = 'down';
      if (!shown.active) break;
      if (shown.id !== id) continue; /* the shown session changed: follow it at once */
      poll();
      await sleep(Math.max(wait, backoffMs(attempt++)));
    }
  }

  await refresh();
  stream();
}

if (typeof document !== 'undefined' && document.getElementById && document.getElementById('dock')) main();
