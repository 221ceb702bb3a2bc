// The OBS dock (/dock/{session}#key=...): chatters now, +joined / −left at the latest capture,
// and the latest raid or bot-wave alert, polled every few seconds. It authenticates with a
// read-only API key read from the URL fragment, which the browser never sends to a server;
// the key goes only in the Authorization header of the page's own API calls (no cookie is
// sent). It refuses a key that can change things, and never puts the key in a URL.
import { applyStatic, fmtInt, fmtTime, t } from './i18n.js';

export const DOCK_POLL_MS = 2000;

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
  async function tick() {
    try {
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
      document.body.dataset.dockUpdates = String(Number(document.body.dataset.dockUpdates || 0) + 1);
    } catch (e) {
      fail(e.message);
    }
    setTimeout(tick, DOCK_POLL_MS);
  }
  tick();
}

if (typeof document !== 'undefined' && document.getElementById && document.getElementById('dock')) main();
