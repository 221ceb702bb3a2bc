// The dashboard's followers panel (the followers section of GET /api/v1/sessions/{s}/stats):
// per channel the new followers the captures read, Twitch's total, the follower waves (many
// new followers whose accounts were made within hours of each other) and the captures that
// found new followers. A login without follower access reads none: the panel says so and
// offers to log in again with it. It refreshes its own document once a minute while shown.
import { get } from '../api.js';
import { fmtInt, fmtNum, fmtTime, t } from '../i18n.js';
import { badge, card, clear, errorText, h } from '../ui.js';

export const FOLLOWERS_POLL_MS = 60000;
const RELOGIN = '/auth/login?with=followers';
const ROWS = 8;

function channelBlock(ch) {
  const box = h('div', { class: 'followers-channel' });
  box.append(h('h3', null, ch.login));
  box.append(h('p', null, t('followers.summary', { n: fmtInt(ch.new_followers), reads: fmtInt(ch.reads), total: fmtInt(ch.total) })));
  for (const w of ch.waves || []) {
    box.append(h('p', { class: 'followers-wave', role: 'alert' }, badge(t('followers.wave'), 'critical'), ' ', t('followers.wave_line', { n: fmtInt(w.count), seq: w.seq, day: w.day })));
  }
  const caps = (ch.captures || []).filter((c) => c.new_followers > 0).slice(-ROWS);
  if (!caps.length) return box;
  const cols = ['followers.col.capture', 'followers.col.time', 'followers.col.new', 'followers.col.burst', 'followers.col.usual', 'followers.col.age'];
  const rows = caps.map((c) =>
    h(
      'tr',
      { class: c.wave ? 'flagged' : '' },
      h('td', null, String(c.seq)),
      h('td', null, fmtTime(c.read_at)),
      h('td', null, fmtInt(c.new_followers)),
      h('td', null, fmtInt(c.burst), c.wave ? [' ', badge(t('followers.wave'), 'critical')] : []),
      h('td', null, fmtNum(c.usual)),
      h('td', null, c.known ? fmtNum(c.median_age_days, 0) : '–'),
    ),
  );
  box.append(
    h(
      'div',
      { class: 'table-wrap' },
      h('table', null, h('thead', null, h('tr', null, cols.map((x) => h('th', { scope: 'col' }, t(x))))), h('tbody', null, rows)),
    ),
  );
  return box;
}

/** The panel: {el, refresh()}; it loads at once and then every FOLLOWERS_POLL_MS while in the page. */
export function followersPanel(sid) {
  const body = h('div', { class: 'followers-body', 'aria-live': 'polite' });
  const hint = h('p', { class: 'hint' }, t('followers.hint'));
  const el = card(t('followers.title'), hint, body);
  el.classList.add('wide');
  el.id = 'followers';

  function draw(doc) {
    clear(body);
    const chans = ((doc && doc.followers) || {}).channels || [];
    if (!chans.some((c) => c.reads > 0)) {
      body.append(h('p', null, t('followers.none'), ' ', h('a', { class: 'relogin', href: RELOGIN }, t('followers.relogin'))));
      return;
    }
    for (const ch of chans) body.append(channelBlock(ch));
  }

  async function refresh() {
    try {
      draw(await get(`/api/v1/sessions/${encodeURIComponent(sid)}/stats?sections=followers`));
    } catch (e) {
      clear(body);
      body.append(h('p', { class: 'error' }, errorText(e)));
    }
  }

  refresh();
  const timer = setInterval(() => {
    if (!el.isConnected) clearInterval(timer);
    else if (!document.hidden) refresh();
  }, FOLLOWERS_POLL_MS);
  return { el, refresh };
}
