// The session dashboard, the page a moderator keeps open next to the stream. It polls the
// session summary (cached by the gateway for a second) and fetches the statistics again
// only when a new capture arrived, then updates the numbers and charts in place: current
// chatters, chatters over time with raid markers and joined / left / new below, new vs
// returning, time present, account-creation histogram with the top creation days, flagged
// accounts with their reasons, raids, the chat panel (views/dashboard_chat.js); a channel
// filter and "hide known bots".
import { get, qs } from '../api.js';
import { fmtDate, fmtDateTime, fmtDuration, fmtInt, fmtPct, fmtTime, t } from '../i18n.js';
import { timeline, histogram } from '../charts.js';
import { flagDetails } from '../flags.js';
import { chatPanel } from './dashboard_chat.js';
import { followersPanel } from './dashboard_followers.js';
import { badge, card, clear, errorBox, errorText, field, h, loading, newId, pageTitle, stack } from '../ui.js';


/* A stay count whose window has not passed before the last capture is unknown: the API
 * sends null and the time it becomes observable; show "— pending", never 0. */
function stayCell(r, key) {
  const v = r[key];
  if (v === null || v === undefined) {
    const at = r[key + '_observable_at'];
    return h('span', { class: 'pending', title: at ? t('dash.stay_pending_at', { time: fmtTime(at) }) : t('dash.stay_pending') }, t('dash.stay_pending'));
  }
  return fmtInt(v);
}

function stayCells(r) {
  return [stayCell(r, 'stayed_5m'), ' / ', stayCell(r, 'stayed_15m'), ' / ', stayCell(r, 'stayed_30m')];
}

export const POLL_MS = 3000;
/** Polling while the gateway pushes capture events: only a safety net. */
export const POLL_PUSHED_MS = 15000;
export const SECTIONS = 'participation,series,viewers,accounts,flags,flag_list,raids';
const FLAG_ROWS = 200;

const secs = (iso) => Date.parse(iso) / 1000;

/** Flag reasons as a list: the API gives "wave|cluster" (or a list). */
export function reasonList(r) {
  if (Array.isArray(r)) return r;
  return String(r || '').split(/[|,]/).filter(Boolean);
}

/** Channels whose peaks differ by this factor or more are drawn as shares of their own peak. */
export const NORMALISE_AT = 10;

/**
 * Chart data from the channels of a stats document (see timeline() in charts.js). A
 * channel's first capture is everyone already there, not people who joined: it is left out
 * of the movement bars and counted apart in `initial`. When the channels' peaks differ by
 * NORMALISE_AT times or more, each line is the share of its channel's peak (in %) so the
 * small channel's raid stays visible; counts keep the numbers for the legend.
 */
export function timelineData(channels) {
  const time = channels.every((c) => (c.series || []).every((s, i, a) => i === 0 || secs(s.taken_at) > secs(a[i - 1].taken_at)));
  const key = (s) => (time ? secs(s.taken_at) : s.seq);
  const xs = [...new Set(channels.flatMap((c) => (c.series || []).map(key)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const empty = () => new Array(xs.length).fill(null);
  const joined = empty();
  const left = empty();
  const news = empty();
  const peaks = channels.map((c) => Math.max(0, ...(c.series || []).map((s) => s.chatters)));
  const seen = peaks.filter((p) => p > 0);
  const normalised = seen.length > 1 && Math.max(...seen) >= NORMALISE_AT * Math.min(...seen);
  let initial = 0;
  const lines = channels.map((c, ci) => {
    const values = empty();
    const counts = empty();
    for (const s of c.series || []) {
      const i = index.get(key(s));
      counts[i] = s.chatters;
      values[i] = normalised ? (peaks[ci] ? (s.chatters / peaks[ci]) * 100 : 0) : s.chatters;
      if (s.seq === 1) {
        initial += s.chatters;
        joined[i] = joined[i] || 0;
        left[i] = (left[i] || 0) + s.left;
        news[i] = news[i] || 0;
        continue;
      }
      joined[i] = (joined[i] || 0) + s.joined;
      left[i] = (left[i] || 0) + s.left;
      news[i] = (news[i] || 0) + s.new_to_channel;
    }
    return { label: c.login, values, counts };
  });
  const raids = [];
  for (const c of channels) {
    for (const r of c.raids || []) {
      const wave = r.in_wave > 0 && r.wave_share >= 0.5;
      const x = time ? secs(r.taken_at) : r.seq;
      raids.push({
        x,
        seq: `${c.login}-${r.seq}`,
        kind: wave ? 'wave' : 'raid',
        label: t(wave ? 'chart.wave_label' : 'chart.raid_label', { channel: c.login, seq: r.seq, joined: fmtInt(r.joined), wave: fmtInt(r.in_wave) }),
      });
    }
  }
  return { time, x: xs, lines, joined, left, news, raids, normalised, initial };
}

/** Daily creation buckets grouped by month when there are many, as chart arrays. */
export function ageBuckets(hist) {
  const b = (hist && hist.buckets) || [];
  const byMonth = b.length > 120;
  const m = new Map();
  for (const x of b) {
    const k = byMonth ? x.start.slice(0, 7) + '-01' : x.start;
    m.set(k, (m.get(k) || 0) + x.count);
  }
  const keys = [...m.keys()].sort();
  return { byMonth, x: keys.map((k) => Date.parse(k + 'T00:00:00Z') / 1000), counts: keys.map((k) => m.get(k)) };
}

function bucketLabel(buckets, i) {
  const from = buckets[i].from_ms;
  const to = i + 1 < buckets.length ? buckets[i + 1].from_ms : null;
  const f = (ms) => (ms >= 3600000 ? t('unit.h', { n: ms / 3600000 }) : t('unit.min', { n: ms / 60000 }));
  if (from === 0) return t('dash.less_than', { d: f(to) });
  return to ? `${f(from)} – ${f(to)}` : t('dash.more_than', { d: f(from) });
}

/**
 * "Chatters now" and "Peak" over the same scope: at every capture of any chosen channel, the
 * sum of each channel's latest count at that moment; now is the last such sum, peak the
 * highest (so now <= peak always). A chatter in two channels counts in each.
 */
export function totals(channels) {
  const points = channels.flatMap((c, ci) => (c.series || []).map((s) => ({ ci, at: secs(s.taken_at), n: s.chatters })));
  if (!points.length) return null;
  points.sort((a, b) => a.at - b.at);
  const latest = new Array(channels.length).fill(0);
  let sum = 0;
  let peak = null;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    sum += p.n - latest[p.ci];
    latest[p.ci] = p.n;
    // several channels captured at the same second make one moment
    if (i + 1 < points.length && points[i + 1].at === p.at) continue;
    if (!peak || sum > peak.n) peak = { n: sum, at: p.at };
  }
  return { now: sum, peak: peak.n, peakAt: new Date(peak.at * 1000).toISOString() };
}

/** A headline number with its one-line definition, shown on hover and keyboard focus. */
function kpi(label, id, definition) {
  const value = h('span', { class: 'kpi-value', id }, '—');
  const sub = h('span', { class: 'kpi-sub' });
  const def = h('span', { class: 'kpi-def', id: id + '-d', role: 'tooltip' }, definition);
  const el = h('div', { class: 'kpi', role: 'group', tabindex: '0', title: definition, 'aria-labelledby': id + '-l', 'aria-describedby': id + '-d' }, h('span', { class: 'kpi-label', id: id + '-l' }, label), value, sub, def);
  return { el, value, sub };
}

export async function render(main, args, ctx, query) {
  const sid = ctx.session(args[0]);
  const title = pageTitle(main, t('dash.title'));
  const status = h('div', { class: 'view-status' }, loading());
  main.append(status);

  let summary;
  try {
    summary = await get(`/api/v1/sessions/${sid}`);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate(location.hash)));
    return;
  }
  const sessionId = summary.id;
  title.textContent = t('dash.title_session', { label: summary.label || t('sessions.unnamed', { id: sessionId }) });

  // ---- controls: channel filter, hide bots, live state ----
  const chanSel = h('select', { id: newId('chan') });
  const botsBox = h('input', { type: 'checkbox', id: newId('bots') });
  const liveState = h('span', { class: 'live-state', role: 'status', 'aria-live': 'polite' });
  const pauseBtn = h('button', { type: 'button', class: 'btn small', 'aria-pressed': 'false' }, t('dash.pause'));
  const controls = h(
    'div',
    { class: 'toolbar dash-controls' },
    field(t('dash.channel'), chanSel),
    h('div', { class: 'field check' }, botsBox, h('label', { for: botsBox.id }, t('dash.hide_bots'))),
    h('div', { class: 'live' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), liveState, pauseBtn),
  );
  let wanted = query.get('channel') || '';
  let paused = false;

  function fillChannels() {
    const logins = (summary.channels || []).map((c) => c.login);
    if (wanted && !logins.includes(wanted)) wanted = '';
    clear(chanSel).append(h('option', { value: '' }, t('dash.all_channels')), ...logins.map((l) => h('option', { value: l, selected: l === wanted }, l)));
  }
  fillChannels();

  // ---- KPIs ----
  const k = {};
  for (const name of ['current', 'unique', 'peak', 'new', 'flagged', 'median']) k[name] = kpi(t('dash.kpi.' + name), newId('k'), t('dash.def.' + name));
  const kpis = h('div', { class: 'kpis' }, Object.values(k).map((x) => x.el));

  // ---- cards ----
  const topEl = h('div', { class: 'chart', 'data-chart': 'chatters' });
  const botEl = h('div', { class: 'chart small', 'data-chart': 'movement' });
  const chartEmpty = h('p', { class: 'empty', hidden: true }, t('dash.no_captures'));
  const raidsBox = h('div', { class: 'raids' });
  const tlNotes = h('div', { class: 'tl-notes' });
  const tlCard = card(t('dash.timeline'), h('p', { class: 'hint' }, t('dash.timeline_hint')), chartEmpty, topEl, tlNotes, botEl, raidsBox);
  tlCard.classList.add('wide');

  const split = h('div', { class: 'split-bar', role: 'img' });
  const splitLegend = h('p', { class: 'split-legend' });
  const splitDef = h('p', { class: 'hint' });
  const nrCard = card(t('dash.new_returning'), split, splitLegend, splitDef);

  const tpList = h('ul', { class: 'hbars', 'aria-label': t('dash.time_present') });
  const tpNote = h('p', { class: 'hint' });
  const tpCard = card(t('dash.time_present'), tpNote, tpList);

  const histEl = h('div', { class: 'chart', 'data-chart': 'ages' });
  const histNote = h('p', { class: 'hint' });
  const daysBox = h('div', { class: 'table-wrap' });
  const accCard = card(t('dash.accounts'), histNote, histEl, h('h3', null, t('dash.top_days')), daysBox);
  accCard.classList.add('wide');

  const flagCounts = h('p', { class: 'flag-counts' });
  const flagBox = h('div', { class: 'table-wrap' });
  const flagCard = card(t('dash.flagged'), flagCounts, flagBox);
  flagCard.classList.add('wide');
  flagCard.id = 'flagged';

  const curList = h('ul', { class: 'current-list' });
  const curCard = card(t('dash.current'), curList);

  const chat = chatPanel(sessionId, { active: () => !!summary.active, paused: () => paused });

  main.append(controls, kpis, h('div', { class: 'grid' }, tlCard, chat.el, curCard, nrCard, tpCard, accCard, flagCard));

  let chart = null;
  let hist = null;
  let lastSig = null;
  let timer = null;
  let stopped = false;
  let inflight = null;
  let first = true;
  let warmTimer = 0;
  main.querySelector('.grid').append(followersPanel(sessionId).el);

  const sigOf = (s) => (s.channels || []).map((c) => `${c.id}:${c.last_capture ? c.last_capture.seq : 0}`).join(',');

  function selectedSummaryChannels() {
    return (summary.channels || []).filter((c) => !wanted || c.login === wanted);
  }

  function drawCurrent() {
    const chans = selectedSummaryChannels();
    clear(curList);
    for (const c of chans) {
      const lc = c.last_capture;
      curList.append(
        h(
          'li',
          null,
          h('strong', null, c.login),
          ' ',
          lc ? t('dash.current_line', { n: fmtInt(lc.chatters), seq: lc.seq, time: fmtTime(lc.taken_at), joined: fmtInt(lc.joined), left: fmtInt(lc.left) }) : t('dash.no_capture_yet'),
          c.periodic && summary.active ? badge(t('channels.periodic', { n: c.interval_s }), 'ok') : null,
          c.last_job && c.last_job.state !== 'done' ? badge(t('job.' + c.last_job.state) + (c.last_job.error ? ': ' + c.last_job.error : ''), 'job-' + c.last_job.state) : null,
        ),
      );
    }
    if (!chans.length) curList.append(h('li', { class: 'empty' }, h('a', { href: '#/channels' }, t('dash.add_channels'))));
  }

  function drawRaids(channels) {
    clear(raidsBox);
    const rows = channels.flatMap((c) => (c.raids || []).map((r) => ({ c, r })));
    if (!rows.length) {
      raidsBox.append(h('p', { class: 'hint' }, t('dash.no_raids')));
      return;
    }
    const tbody = h('tbody');
    for (const { c, r } of rows) {
      const wave = r.in_wave > 0 && r.wave_share >= 0.5;
      tbody.append(
        h(
          'tr',
          { id: `raid-row-${c.login}-${r.seq}`, tabindex: '-1', class: wave ? 'wave' : 'raid' },
          h('td', null, badge(wave ? t('chart.wave_short') : t('chart.raid_short'), wave ? 'danger' : 'warn')),
          h('td', null, c.login),
          h('td', { class: 'num' }, '#' + r.seq),
          h('td', null, fmtTime(r.taken_at)),
          h('td', { class: 'num' }, fmtInt(r.joined)),
          h('td', { class: 'num' }, fmtPct(r.new_share)),
          h('td', { class: 'num' }, fmtInt(r.in_wave)),
          h('td', { class: 'num' }, ...stayCells(r)),
        ),
      );
    }
    raidsBox.append(
      stack(
        h(
          'table',
          { class: 'data raids-table' },
        h('caption', null, t('dash.raids')),
        h(
          'thead',
          null,
          h('tr', null, ['dash.col.kind', 'dash.col.channel', 'dash.col.capture', 'dash.col.time', 'dash.col.joined', 'dash.col.new_share', 'dash.col.in_wave', 'dash.col.stayed'].map((x) => h('th', { scope: 'col' }, t(x)))),
        ),
        tbody,
        ),
      ),
    );
  }

  function drawNewReturning(doc) {
    const v = (doc.all_channels && doc.all_channels.viewers) || { new: 0, returning: 0 };
    const total = v.new + v.returning;
    const pn = total ? v.new / total : 0;
    clear(split);
    // 0 of 0 is no bar at all, not a full one
    split.classList.toggle('empty', !total);
    if (total) {
      const a = h('span', { class: 'seg new' });
      const b = h('span', { class: 'seg returning' });
      a.style.width = `${pn * 100}%`;
      b.style.width = `${(1 - pn) * 100}%`;
      split.append(a, b);
    }
    split.setAttribute('aria-label', t('dash.split_label', { n: fmtInt(v.new), r: fmtInt(v.returning) }));
    clear(splitLegend).append(
      h('span', { class: 'key new' }, t('dash.new_count', { n: fmtInt(v.new), p: total ? fmtPct(pn) : '—' })),
      ' ',
      h('span', { class: 'key returning' }, t('dash.returning_count', { n: fmtInt(v.returning), p: total ? fmtPct(1 - pn) : '—' })),
    );
    clear(splitDef).append(t('dash.def.new'));
    k.new.value.textContent = total ? `${fmtInt(v.new)} / ${fmtInt(v.returning)}` : '—';
    k.new.sub.textContent = total ? t('dash.new_slash_returning') : '';
  }

  function drawTimePresent(doc) {
    const p = (doc.all_channels && doc.all_channels.participation) || {};
    const buckets = p.time_present || [];
    const max = Math.max(1, ...buckets.map((b) => b.chatters));
    clear(tpList);
    buckets.forEach((b, i) => {
      const bar = h('span', { class: 'hbar-fill' });
      bar.style.width = `${(b.chatters / max) * 100}%`;
      tpList.append(h('li', null, h('span', { class: 'hbar-label' }, bucketLabel(buckets, i)), h('span', { class: 'hbar' }, bar), h('span', { class: 'hbar-value' }, fmtInt(b.chatters))));
    });
    // nobody seen: no median, not "0 s"
    const none = !p.unique_chatters;
    tpNote.textContent = none ? t('dash.tp_none') : t('dash.tp_note', { p50: fmtDuration(p.p50_ms), p90: fmtDuration(p.p90_ms) });
    k.median.value.textContent = none ? '—' : fmtDuration(p.p50_ms);
    k.median.sub.textContent = none ? '' : t('dash.p90', { d: fmtDuration(p.p90_ms) });
  }

  function drawAccounts(doc) {
    const acc = doc.accounts || {};
    const ab = ageBuckets(acc.age_histogram);
    histNote.textContent = t(ab.byMonth ? 'dash.hist_month' : 'dash.hist_day', { n: fmtInt(acc.audience || 0), unknown: fmtInt((acc.age_histogram && acc.age_histogram.unknown) || 0) });
    if (ab.x.length) {
      if (!hist) hist = histogram(histEl, ab.x, ab.counts, t('dash.accounts_created'));
      else hist.update(ab.x, ab.counts);
    }
    clear(daysBox);
    const days = acc.top_creation_days || [];
    if (!days.length) {
      daysBox.append(h('p', { class: 'hint' }, t('dash.no_days')));
      return;
    }
    const levelKind = { critical: 'danger', suspect: 'warn', watch: 'info', normal: '' };
    daysBox.append(
      stack(
      h(
        'table',
        { class: 'data days-table' },
        h('thead', null, h('tr', null, ['dash.col.day', 'dash.col.accounts', 'dash.col.share', 'dash.col.level', 'dash.col.logins'].map((x) => h('th', { scope: 'col' }, t(x))))),
        h(
          'tbody',
          null,
          days.map((d) =>
            h(
              'tr',
              { 'data-level': d.level },
              h('td', null, fmtDate(d.day)),
              h('td', { class: 'num' }, fmtInt(d.count)),
              h('td', { class: 'num' }, fmtPct(d.share, 1)),
              h('td', null, badge(t('level.' + d.level), levelKind[d.level])),
              h(
                'td',
                null,
                h('details', null, h('summary', null, t('dash.show_logins', { n: fmtInt((d.logins || []).length) })), h('p', { class: 'logins' }, (d.logins || []).slice(0, 200).join(', '))),
              ),
            ),
          ),
        ),
      ),
      ),
    );
  }

  function drawFlags(doc) {
    const f = doc.flags || { flagged: 0, by_reason: {} };
    k.flagged.value.textContent = fmtInt(f.flagged);
    k.flagged.sub.textContent = f.excluded ? t('dash.excluded', { n: fmtInt(f.excluded) }) : '';
    clear(flagCounts);
    for (const [reason, n] of Object.entries(f.by_reason || {})) if (n) flagCounts.append(badge(`${t('reason.' + reason)}: ${fmtInt(n)}`, 'warn'), ' ');
    if (!f.flagged) flagCounts.append(t('dash.no_flags'));
    clear(flagBox);
    const list = f.accounts || [];
    if (!list.length) return;
    flagBox.append(
      stack(
      h(
        'table',
        { class: 'data flag-table' },
        h('thead', null, h('tr', null, ['dash.col.login', 'dash.col.created', 'dash.col.reasons', 'dash.col.details'].map((x) => h('th', { scope: 'col' }, t(x))))),
        h(
          'tbody',
          null,
          list.slice(0, FLAG_ROWS).map((a) =>
            h(
              'tr',
              null,
              h('td', null, h('a', { href: `#/chatter/${a.id}` }, a.login || a.id)),
              h('td', null, fmtDate(a.created_at)),
              h('td', null, reasonList(a.reasons).map((r) => badge(t('reason.' + r), 'warn'))),
              h('td', { class: 'details' }, flagDetails(a.details)),
            ),
          ),
        ),
      ),
      ),
    );
    if (list.length > FLAG_ROWS)
      flagBox.append(h('p', { class: 'hint' }, t('dash.more_flags', { n: fmtInt(list.length - FLAG_ROWS) }), ' ', h('a', { href: `#/chatters/${sessionId}?filter=flagged` }, t('dash.see_table'))));
  }

  function apply(doc) {
    const channels = doc.channels || [];
    const one = channels.length === 1 ? channels[0] : null;
    let unique = doc.all_channels && doc.all_channels.participation ? doc.all_channels.participation.unique_chatters : null;
    if (one && one.participation) unique = one.participation.unique_chatters;
    const captures = channels.reduce((s, c) => s + (c.captures || 0), 0);
    k.unique.value.textContent = captures ? fmtInt(unique) : '—';
    k.unique.sub.textContent = t('dash.captures', { n: fmtInt(captures) });
    const tot = totals(channels);
    k.current.value.textContent = tot ? fmtInt(tot.now) : '—';
    k.current.sub.textContent = channels.length > 1 && tot ? t('dash.sum_of', { n: channels.length }) : '';
    k.peak.value.textContent = tot ? fmtInt(tot.peak) : '—';
    k.peak.sub.textContent = tot ? t('dash.at', { time: fmtTime(tot.peakAt) }) : '';
    const td = timelineData(channels);
    chartEmpty.hidden = td.x.length > 0;
    topEl.hidden = botEl.hidden = td.x.length === 0;
    if (td.x.length) {
      if (!chart) chart = timeline(topEl, botEl, td);
      else chart.update(td);
    }
    tlNotes.replaceChildren(
      td.normalised ? h('p', { class: 'hint normalised-note' }, t('dash.normalised_note', { n: NORMALISE_AT })) : '',
      td.initial ? h('p', { class: 'hint first-capture' }, t('dash.first_capture', { n: fmtInt(td.initial) })) : '',
    );
    drawRaids(channels);
    drawNewReturning(doc);
    drawTimePresent(doc);
    drawAccounts(doc);
    drawFlags(doc);
    drawCurrent();
    chat.update(channels, wanted);
  }

  async function loadStats() {
    if (inflight) inflight.abort();
    const ac = new AbortController();
    inflight = ac;
    const url = `/api/v1/sessions/${sessionId}/stats` + qs({ sections: SECTIONS, channel: wanted || null, exclude: botsBox.checked ? 'known_bots' : null });
    const doc = await get(url, { signal: ac.signal });
    if (ac.signal.aborted || stopped) return;
    inflight = null;
    const mark = first ? 'tca-first-render' : 'tca-update';
    performance.mark(mark + '-start');
    apply(doc);
    performance.mark(mark + '-end');
    performance.measure(mark, mark + '-start', mark + '-end');
    if (first) {
      first = false;
      performance.mark('tca-dashboard-ready');
      document.body.dataset.dashboardReady = '1';
    }
    // Warm the server's chatter table of this session in the background, so opening the
    // table next (a big session takes most of a second to load there once) answers at once:
    // when the dashboard opens, and again after every capture it shows, since a capture makes
    // the server's table stale (the next open would load it cold). A second later, so the
    // warming never competes with the statistics being drawn; a warm table answers in ~1 ms.
    clearTimeout(warmTimer);
    warmTimer = setTimeout(() => get(`/api/v1/sessions/${sessionId}/chatters?limit=1`).catch(() => {}), 1000);
    document.body.dataset.dashboardUpdates = String(Number(document.body.dataset.dashboardUpdates || 0) + 1);
    if (summary.active) liveState.textContent = t('dash.updated', { time: fmtTime(new Date().toISOString()) });
    else markEnded();
  }

  async function refresh(force) {
    try {
      const s = await get(`/api/v1/sessions/${sessionId}`);
      summary = s;
      const sig = sigOf(s);
      drawCurrent();
      chat.summaryChanged();
      if (force || sig !== lastSig) {
        lastSig = sig;
        await loadStats();
      }
      status.replaceChildren();
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.replaceChildren(errorBox(e, () => refresh(true)));
      liveState.textContent = t('dash.update_failed', { msg: errorText(e) });
    }
  }

  async function poll() {
    if (stopped || !summary.active) return;
    if (!paused && !document.hidden) await refresh(false);
    if (!stopped) timer = setTimeout(poll, pushed() ? POLL_PUSHED_MS : POLL_MS);
  }

  // Captures pushed by the gateway (Server-Sent Events): an update within moments of a
  // capture; polling goes on, slower, and takes over whenever the stream is down.
  let events = null;
  const pushed = () => !!events && events.readyState === 1;
  function listen() {
    if (!window.EventSource || !summary.active) return;
    events = new EventSource(`/api/v1/sessions/${sessionId}/events`);
    events.addEventListener('open', () => {
      document.body.dataset.dashboardPush = 'open';
    });
    events.addEventListener('capture', () => {
      document.body.dataset.dashboardPushes = String(Number(document.body.dataset.dashboardPushes || 0) + 1);
      if (!paused && !stopped) refresh(false);
    });
  }

  chanSel.addEventListener('change', () => {
    wanted = chanSel.value;
    const hash = `#/dashboard/${sessionId}` + (wanted ? `?channel=${encodeURIComponent(wanted)}` : '');
    history.replaceState(null, '', hash);
    refresh(true);
  });
  botsBox.addEventListener('change', () => refresh(true));
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.setAttribute('aria-pressed', String(paused));
    pauseBtn.textContent = paused ? t('dash.resume') : t('dash.pause');
    liveState.textContent = paused ? t('dash.paused') : t('dash.live');
    if (!paused) refresh(false);
  });

  // An ended session gets no more captures: it says when it ended instead of "Live".
  function markEnded() {
    const ended = !summary.active;
    controls.classList.toggle('ended', ended);
    pauseBtn.hidden = ended;
    if (ended) {
      const last = (summary.channels || []).map((c) => c.last_capture && c.last_capture.taken_at).filter(Boolean).sort().at(-1);
      liveState.textContent = last ? t('dash.ended_at', { time: fmtDateTime(last) }) : t('dash.ended');
    }
  }

  lastSig = sigOf(summary);
  drawCurrent();
  markEnded();
  try {
    await loadStats();
    clear(status);
  } catch (e) {
    if (e.name !== 'AbortError') clear(status).append(errorBox(e, () => refresh(true)));
  }
  listen();
  timer = setTimeout(poll, POLL_MS);
  return () => {
    stopped = true;
    if (events) events.close();
    delete document.body.dataset.dashboardPush;
    delete document.body.dataset.dashboardReady; // the next dashboard says when it is ready
    clearTimeout(timer);
    clearTimeout(warmTimer);
    if (inflight) inflight.abort();
    if (chart) chart.destroy();
    if (hist) hist.destroy();
    chat.destroy();
  };
}
