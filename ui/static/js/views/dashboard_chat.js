// The dashboard's chat panel (GET /api/v1/sessions/{s}/chat): per channel the messages,
// talkers against lurkers, messages per minute beside the audience of the captures, the
// sentiment per minute when the server scores messages, the top talkers with their badges,
// and the raids Twitch announced beside what the captures saw. When chat capture is off it
// says so and offers to turn it on (PUT …/chat), or to log in again with chat access when
// Twitch refused. Chat counts change between captures, so the panel polls its own document
// while chat capture is on. There is no message text anywhere to show, and none is asked for.
import { get, put } from '../api.js';
import { chatCharts } from '../chat_charts.js';
import { fmtInt, fmtNum, fmtPct, fmtTime, t } from '../i18n.js';
import { act, badge, card, clear, errorText, h, newId, stack } from '../ui.js';

export const CHAT_POLL_MS = 5000;
/** While chat capture is off: only to notice it turned on elsewhere (tca chat on). */
export const CHAT_OFF_POLL_MS = 30000;
/** Channels drawn in full; more are summed up in one table (the filter shows any of them). */
export const MAX_BLOCKS = 4;
const TOP = 10;
const RELOGIN = '/auth/login?with=chat';

const secs = (iso) => Date.parse(iso) / 1000;
const own = (o, k) => !!o && Object.prototype.hasOwnProperty.call(o, k);

/** True when the server scores sentiment (its fields are absent on a server without it). */
export function hasSentiment(ch) {
  return own(ch, 'sentiment_mean') || (ch && (ch.timeline || []).some((m) => own(m, 'sentiment_mean')));
}

/**
 * Chart arrays for one channel: the minutes of the chat timeline and the captures of the
 * statistics series on one time axis (seconds). A point one series lacks is undefined (uPlot
 * skips it); a minute with nothing scored has a null mean (a gap, never a zero).
 */
export function chatChartData(ch, series) {
  const mins = (ch && ch.timeline) || [];
  const caps = series || [];
  const x = [...new Set([...mins.map((m) => m.minute_ms / 1000), ...caps.map((s) => secs(s.taken_at))])].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const col = () => new Array(x.length).fill(undefined);
  const d = { x, messages: col(), talkers: col(), chatters: col(), sentiment: hasSentiment(ch), mean: col(), positive: col(), negative: col() };
  for (const m of mins) {
    const i = at.get(m.minute_ms / 1000);
    d.messages[i] = m.messages;
    d.talkers[i] = m.talkers;
    if (!d.sentiment) continue;
    d.mean[i] = m.sentiment_mean === undefined || !m.scored ? null : m.sentiment_mean;
    d.positive[i] = m.positive || 0;
    d.negative[i] = m.negative ? -m.negative : 0;
  }
  for (const s of caps) d.chatters[at.get(secs(s.taken_at))] = s.chatters;
  return d;
}

/** The channels drawn in full (most messages first when there are too many) and whether a summary table is needed. */
export function pickBlocks(chans, max = MAX_BLOCKS) {
  if (chans.length <= max) return { full: chans, summary: false };
  return { full: [...chans].sort((a, b) => b.messages - a.messages || a.login.localeCompare(b.login)).slice(0, max), summary: true };
}

/** The chat status in the user's words: {kind: 'scope' | 'relogin' | 'revoked' | 'other', text}, or null. */
export function statusNote(status) {
  if (!status) return null;
  if (status.includes('user:read:chat')) return { kind: 'scope', text: t('chat.scope_missing') };
  if (/log in again/i.test(status)) return { kind: 'relogin', text: t('chat.problem', { why: status }) };
  if (/revoked/i.test(status)) return { kind: 'revoked', text: t('chat.revoked', { why: status }) };
  return { kind: 'other', text: t('chat.problem', { why: status }) };
}

/** A number with its label and its one-line definition (hover and keyboard focus), as the KPIs. */
function stat(field, label, definition) {
  const id = newId('cs');
  const value = h('span', { class: 'kpi-value', 'data-field': field }, '—');
  const sub = h('span', { class: 'kpi-sub' });
  const el = h(
    'div',
    { class: 'kpi', role: 'group', tabindex: '0', title: definition, 'aria-labelledby': id + '-l', 'aria-describedby': id + '-d' },
    h('span', { class: 'kpi-label', id: id + '-l' }, label),
    value,
    sub,
    h('span', { class: 'kpi-def', id: id + '-d', role: 'tooltip' }, definition),
  );
  return { el, value, sub };
}

const sentimentText = (v) => (v === null || v === undefined ? '—' : fmtNum(v, 2));

/** One channel's block: numbers, talkers/lurkers bar, charts and top talkers. */
function channelBlock(login) {
  const s = {
    messages: stat('messages', t('chat.messages'), t('chat.def.messages')),
    talkers: stat('talkers', t('chat.talkers'), t('chat.def.talkers')),
    lurkers: stat('lurkers', t('chat.lurkers'), t('chat.def.lurkers')),
    seen: stat('talkers_seen', t('chat.talkers_seen'), t('chat.def.talkers_seen')),
    sentiment: stat('sentiment', t('chat.sentiment'), t('chat.def.sentiment')),
  };
  const split = h('div', { class: 'split-bar chat-split', role: 'img' });
  const legend = h('p', { class: 'split-legend' });
  const actEl = h('div', { class: 'chart', 'data-chart': 'chat-activity' });
  const sentEl = h('div', { class: 'chart', 'data-chart': 'chat-sentiment', hidden: true });
  const sentHead = h('h4', { hidden: true, title: t('chat.def.sentiment') }, t('chat.sentiment_chart'));
  const sentHint = h('p', { class: 'hint', hidden: true }, t('chat.sentiment_hint'));
  const empty = h('p', { class: 'hint', hidden: true }, t('chat.no_messages'));
  const top = h('div', { class: 'table-wrap chat-top' });
  const el = h(
    'section',
    { class: 'chat-channel', 'data-login': login },
    h('h3', null, login),
    h('div', { class: 'kpis chat-stats' }, Object.values(s).map((x) => x.el)),
    split,
    legend,
    empty,
    h('p', { class: 'hint' }, t('chat.activity_hint')),
    actEl,
    sentHead,
    sentHint,
    sentEl,
    top,
  );
  return { el, s, split, legend, actEl, sentEl, sentHead, sentHint, empty, top, charts: null };
}

function drawSplit(b, c) {
  const total = c.talkers + c.lurkers;
  const pt = total ? c.talkers / total : 0;
  clear(b.split);
  b.split.classList.toggle('empty', !total);
  if (total) {
    const a = h('span', { class: 'seg talkers' });
    const l = h('span', { class: 'seg lurkers' });
    a.style.width = `${pt * 100}%`;
    l.style.width = `${(1 - pt) * 100}%`;
    b.split.append(a, l);
  }
  b.split.setAttribute('aria-label', t('chat.split_label', { t: fmtInt(c.talkers), l: fmtInt(c.lurkers) }));
  clear(b.legend).append(
    h('span', { class: 'key talkers', title: t('chat.def.talkers') }, t('chat.talker_count', { n: fmtInt(c.talkers), p: total ? fmtPct(pt) : '—' })),
    ' ',
    h('span', { class: 'key lurkers', title: t('chat.def.lurkers') }, t('chat.lurker_count', { n: fmtInt(c.lurkers), p: total ? fmtPct(1 - pt) : '—' })),
  );
}

function drawTop(b, c, sentiment, marks) {
  clear(b.top);
  const list = c.top_talkers || [];
  if (!list.length) return;
  const cols = ['chat.col.rank', 'chat.col.login', 'chat.col.messages', 'chat.col.emote_only', ...(sentiment ? ['chat.col.sentiment'] : [])];
  const rows = list.map((r, i) => {
    const m = marks.get(String(r.user_id)) || {};
    return h(
      'tr',
      { 'data-user': r.user_id },
      h('td', { class: 'num' }, fmtInt(i + 1)),
      h('td', null, h('a', { href: `#/chatter/${r.user_id}` }, r.login || r.user_id), m.role ? [' ', badge(t('role.' + m.role), 'info')] : null, m.watched ? [' ', badge(t('chatters.watched'), 'warn')] : null),
      h('td', { class: 'num' }, fmtInt(r.messages)),
      h('td', { class: 'num' }, fmtInt(r.emote_only)),
      sentiment ? h('td', { class: 'num' }, sentimentText(r.sentiment_mean)) : null,
    );
  });
  b.top.append(
    stack(
      h(
        'table',
        { class: 'data chat-top-table' },
        h('caption', null, t('chat.top_talkers')),
        h('thead', null, h('tr', null, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, rows),
      ),
    ),
  );
}

/** "— pending" while a stay window has not passed (the API sends null), as in the raids table. */
function stay(r, key) {
  const v = r[key];
  if (v === null || v === undefined) {
    const at = r[key + '_observable_at'];
    return h('span', { class: 'pending', title: at ? t('dash.stay_pending_at', { time: fmtTime(at) }) : t('dash.stay_pending') }, t('dash.stay_pending'));
  }
  return fmtInt(v);
}

function drawRaids(box, raids) {
  clear(box);
  if (!raids.length) {
    box.append(h('p', { class: 'hint' }, t('chat.no_raids')));
    return;
  }
  const stays = raids.some((r) => own(r, 'stayed_5m'));
  const cols = ['chat.col.from', 'chat.col.into', 'chat.col.viewers', 'chat.col.at', 'chat.col.saw', ...(stays ? ['chat.col.stayed'] : [])];
  const rows = raids.map((r) => {
    const c = r.captures_saw;
    const saw = c
      ? t('chat.saw', { seq: c.seq, time: fmtTime(c.taken_at), before: fmtInt(c.chatters_before), after: fmtInt(c.chatters), joined: fmtInt(c.joined), new: fmtInt(c.new_to_channel) })
      : t('chat.saw_none');
    return h(
      'tr',
      { 'data-from': r.from_login },
      h('td', null, r.from_login),
      h('td', null, r.channel),
      h('td', { class: 'num' }, fmtInt(r.viewers)),
      h('td', null, fmtTime(r.at)),
      h('td', null, saw),
      stays ? h('td', { class: 'num' }, stay(r, 'stayed_5m'), ' / ', stay(r, 'stayed_15m'), ' / ', stay(r, 'stayed_30m')) : null,
    );
  });
  box.append(
    stack(
      h(
        'table',
        { class: 'data chat-raids-table', 'aria-label': t('chat.raids') },
        h('thead', null, h('tr', null, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, rows),
      ),
    ),
  );
}

function drawSummary(box, chans, max) {
  const sentiment = chans.some(hasSentiment);
  const cols = ['chat.col.channel', 'chat.col.messages', 'chat.col.talkers', 'chat.col.lurkers', ...(sentiment ? ['chat.col.sentiment'] : [])];
  const rows = chans.map((c) =>
    h(
      'tr',
      { 'data-login': c.login },
      h('td', null, c.login),
      h('td', { class: 'num' }, fmtInt(c.messages)),
      h('td', { class: 'num' }, fmtInt(c.talkers)),
      h('td', { class: 'num' }, fmtInt(c.lurkers)),
      sentiment ? h('td', { class: 'num' }, sentimentText(c.sentiment_mean)) : null,
    ),
  );
  box.replaceChildren(
    stack(
      h(
        'table',
        { class: 'data chat-summary-table' },
        h('caption', null, t('chat.summary')),
        h('thead', null, h('tr', null, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, rows),
      ),
    ),
    h('p', { class: 'hint' }, t('chat.more_channels', { n: max })),
  );
}

/**
 * The chat panel of session sid. opts: {active(), paused()} read the dashboard's state.
 * Returns {el, update(statsChannels, wanted), destroy()}: update() after every statistics
 * load (the captures' series are the audience line) and on a channel change.
 */
export function chatPanel(sid, opts) {
  const state = h('div', { class: 'chat-state', role: 'status', 'aria-live': 'polite' });
  const summaryBox = h('div', { class: 'table-wrap chat-summary', hidden: true });
  const channelsBox = h('div', { class: 'chat-channels' });
  const raidsBox = h('div', { class: 'chat-raids' });
  const raidsHead = h('h3', null, t('chat.raids'));
  const raidsHint = h('p', { class: 'hint' }, t('chat.raids_hint'));
  const el = card(t('chat.title'), state, summaryBox, channelsBox, raidsHead, raidsHint, raidsBox);
  el.classList.add('wide', 'chat-card');
  el.id = 'chat';
  const blocks = new Map();
  let stats = [];
  let wanted = '';
  let doc = null;
  let marks = new Map();
  let marksFor = null;
  let timer = null;
  let stopped = false;
  let inflight = null;
  let tookMs = 0; // how long the last document took: a big session is read less often

  // The state line's parts are built once and only their text changes, so a poll neither
  // moves the keyboard focus off the switch nor makes a screen reader repeat the line.
  const stateLine = h('p');
  const problem = h('p', { class: 'chat-problem', role: 'alert', hidden: true });
  const toggleBtn = h('button', { type: 'button', class: 'btn small' });
  const relogin = h('a', { class: 'relogin', href: RELOGIN }, t('chat.relogin'));
  const scopeHint = h('span', { class: 'hint' }, t('chat.scope_hint'));
  const ended = h('span', { class: 'hint' }, t('chat.ended'));
  state.append(stateLine, problem, h('div', { class: 'toolbar' }, toggleBtn, scopeHint, relogin, ended));
  state.hidden = true;
  toggleBtn.addEventListener('click', () => toggle(toggleBtn, !doc.enabled));
  const setText = (node, text) => {
    if (node.textContent !== text) node.textContent = text;
  };

  function drawState() {
    state.hidden = !doc;
    if (!doc) return;
    const note = statusNote(doc.status);
    const active = opts.active();
    stateLine.className = doc.enabled ? 'chat-on' : 'chat-off';
    setText(stateLine, doc.enabled ? (doc.messages ? t('chat.on') : t('chat.on_waiting')) : t('chat.off'));
    problem.hidden = !note;
    setText(problem, note ? note.text : '');
    toggleBtn.hidden = !active;
    toggleBtn.className = 'btn small' + (doc.enabled ? '' : ' primary');
    toggleBtn.setAttribute('aria-pressed', String(!!doc.enabled));
    setText(toggleBtn, doc.enabled ? t('chat.turn_off') : t('chat.turn_on'));
    // a login without the chat permission: the way to grant it, as a button once Twitch refused
    const refused = !!note && (note.kind === 'scope' || note.kind === 'relogin');
    relogin.hidden = !refused && (doc.enabled || !active);
    relogin.className = refused ? 'btn small primary relogin' : 'relogin';
    scopeHint.hidden = refused || doc.enabled || !active;
    ended.hidden = active;
  }

  async function toggle(btn, on) {
    const ok = await act(btn, on ? t('chat.turning_on') : t('chat.turning_off'), () => put(`/api/v1/sessions/${sid}/chat`, { enabled: on }).then(() => ''));
    if (ok !== undefined) await load();
  }

  // Roles and the watchlist come from the chatter table, which has the ids. Its first read of
  // a big session takes seconds on the server: the talkers are drawn first, the badges after.
  async function loadMarks() {
    const key = stats.map((c) => `${c.login}:${(c.series || []).length}`).join(',');
    if (key === marksFor) return false;
    marksFor = key;
    const m = new Map();
    for (const filter of ['role', 'watched']) {
      try {
        const page = await get(`/api/v1/sessions/${sid}/chatters?filter=${filter}&limit=500`);
        for (const r of page.rows || []) m.set(String(r.id), { ...(m.get(String(r.id)) || {}), role: r.role || undefined, watched: r.watched });
      } catch {
        /* badges are extra: the talkers show without them */
      }
    }
    marks = m;
    return true;
  }

  function drawChannel(c) {
    let b = blocks.get(c.login);
    if (!b) {
      b = channelBlock(c.login);
      blocks.set(c.login, b);
    }
    channelsBox.append(b.el); // in the document's order
    const sentiment = hasSentiment(c);
    b.s.messages.value.textContent = fmtInt(c.messages);
    b.s.messages.sub.textContent = c.emote_only ? t('chat.emote_only', { n: fmtInt(c.emote_only) }) : '';
    b.s.talkers.value.textContent = fmtInt(c.talkers);
    b.s.lurkers.value.textContent = fmtInt(c.lurkers);
    b.s.lurkers.sub.textContent = t('chat.of_chatters', { n: fmtInt(c.chatters) });
    b.s.seen.value.textContent = fmtInt(c.talkers_seen_in_captures);
    b.s.sentiment.el.hidden = !sentiment;
    b.s.sentiment.value.textContent = sentimentText(c.sentiment_mean);
    b.s.sentiment.sub.textContent = sentiment ? (c.scored ? t('chat.scored', { n: fmtInt(c.scored) }) : t('chat.nothing_scored')) : '';
    drawSplit(b, c);
    b.empty.hidden = !!c.messages;
    b.sentHead.hidden = b.sentHint.hidden = !sentiment;
    const sc = stats.find((x) => x.login === c.login);
    const data = chatChartData(c, sc && sc.series);
    if (!b.charts) b.charts = chatCharts(b.actEl, b.sentEl, data);
    else b.charts.update(data);
    drawTop(b, c, sentiment, marks);
  }

  function draw() {
    drawState();
    const chans = ((doc && doc.channels) || []).filter((c) => !wanted || c.login === wanted);
    // a session that never had chat on shows only the line saying so
    const all = doc && (doc.enabled || doc.messages) ? chans : [];
    const { full: shown, summary } = pickBlocks(all);
    summaryBox.hidden = !summary;
    if (summary) drawSummary(summaryBox, all, MAX_BLOCKS);
    for (const [login, b] of blocks) {
      if (shown.some((c) => c.login === login)) continue;
      if (b.charts) b.charts.destroy();
      b.el.remove();
      blocks.delete(login);
    }
    for (const x of [...channelsBox.children]) if (!x.classList.contains('chat-channel')) x.remove();
    for (const c of shown) drawChannel(c);
    if (doc && doc.enabled && !chans.length) channelsBox.append(h('p', { class: 'hint' }, t('chat.no_channels')));
    const raids = ((doc && doc.raids) || []).filter((r) => !wanted || r.channel === wanted);
    const showRaids = !!doc && (doc.enabled || raids.length > 0);
    raidsHead.hidden = raidsHint.hidden = raidsBox.hidden = !showRaids;
    if (showRaids) drawRaids(raidsBox, raids);
  }

  async function load() {
    if (inflight) inflight.abort();
    const ac = new AbortController();
    inflight = ac;
    const started = performance.now();
    try {
      const d = await get(`/api/v1/sessions/${sid}/chat?top=${TOP}`, { signal: ac.signal });
      tookMs = performance.now() - started;
      if (ac.signal.aborted || stopped) return;
      const switched = !doc || doc.enabled !== d.enabled;
      doc = d;
      if (switched) schedule(); // the polling pace follows the switch
      draw();
      if ((doc.channels || []).some((c) => (c.top_talkers || []).length))
        loadMarks().then((changed) => {
          if (changed && !stopped) draw();
        });
      el.dataset.chatLoads = String(Number(el.dataset.chatLoads || 0) + 1);
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.hidden = false;
      problem.hidden = false;
      setText(problem, t('chat.problem', { why: errorText(e) }));
    } finally {
      if (inflight === ac) inflight = null;
    }
  }

  // Chat counts grow between captures: poll while chat capture is on in a live session, and
  // now and then while it is off. The server reads every stay of the session for this
  // document, so a session where that takes long is read less often (20 times its cost).
  function schedule() {
    clearTimeout(timer);
    if (stopped) return;
    const every = Math.max(doc && doc.enabled ? CHAT_POLL_MS : CHAT_OFF_POLL_MS, 20 * tookMs);
    timer = setTimeout(async () => {
      if (doc && opts.active() && !opts.paused() && !document.hidden) await load();
      schedule();
    }, every);
  }
  schedule();

  return {
    el,
    update(statsChannels, channel) {
      const filterOnly = !!doc && (channel || '') !== wanted;
      stats = statsChannels || [];
      wanted = channel || '';
      // the document has every channel, and a session without chat has nothing new to show
      if (filterOnly || (doc && !doc.enabled && !doc.messages)) {
        draw();
        return Promise.resolve();
      }
      return load();
    },
    destroy() {
      stopped = true;
      clearTimeout(timer);
      if (inflight) inflight.abort();
      for (const b of blocks.values()) if (b.charts) b.charts.destroy();
      blocks.clear();
    },
  };
}
