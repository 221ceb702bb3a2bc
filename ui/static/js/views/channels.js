// Channels: the user's own channel and every channel they moderate, live or not, and the
// capture controls of the active session for each (capture now, periodic, stop, while
// live), with the state of each channel's last capture job kept fresh by polling.
import { followJob, get, post, put, del } from '../api.js';
import { fmtDateTime, fmtInt, fmtTime, t } from '../i18n.js';
import { act, badge, clear, errorBox, h, loading, newId, pageTitle } from '../ui.js';
import { defaultInterval } from './settings.js';

const POLL_MS = 3000;

function scheduleText(sc) {
  if (!sc) return t('channels.not_in_session');
  if (sc.periodic) {
    const next = sc.next_capture_at ? t('channels.next_at', { time: fmtTime(sc.next_capture_at) }) : '';
    return t('channels.periodic', { n: sc.interval_s }) + (next ? ' · ' + next : '');
  }
  return t('channels.in_session_idle');
}

function jobBadge(job) {
  if (!job) return null;
  const b = badge(t('job.' + job.state), 'job-' + job.state);
  b.title = job.error || '';
  return h('span', { class: 'job' }, t('channels.last_job'), ' ', b, job.error ? h('span', { class: 'job-error' }, ' ', job.error) : null);
}

export async function render(main, args, ctx) {
  pageTitle(main, t('channels.title'));
  const toolbar = h('div', { class: 'toolbar' });
  const list = h('ul', { class: 'channel-list', 'aria-label': t('channels.title') });
  const status = h('div', { class: 'view-status' }, loading());
  main.append(h('p', { class: 'lead' }, t('channels.lead')), toolbar, status, list);

  let chans = [];
  let summary = null;
  let drawnOrder = ''; // which channels were drawn as captured: a change re-sorts the list
  let timer = null;
  let stopped = false;
  const rows = new Map(); // channel id -> {li, parts}

  const refreshBtn = h('button', { type: 'button', class: 'btn' }, t('channels.refresh'));
  refreshBtn.addEventListener('click', () =>
    act(refreshBtn, t('channels.refresh'), async () => {
      await loadChannels(true);
      return t('channels.count', { n: chans.length });
    }),
  );
  const filterIn = h('input', { type: 'search', id: newId('chfilter'), placeholder: 'login', autocomplete: 'off' });
  function applyFilter() {
    const q = filterIn.value.trim().toLowerCase();
    for (const r of rows.values()) r.li.hidden = !!q && !r.li.dataset.login.includes(q);
  }
  filterIn.addEventListener('input', applyFilter);
  toolbar.append(
    h('div', { class: 'field' }, h('label', { for: filterIn.id }, t('channels.filter')), filterIn),
    refreshBtn,
    h('a', { class: 'btn', href: '#/dashboard' }, t('channels.open_dashboard')),
  );

  async function loadChannels(refresh) {
    const r = await get('/api/v1/channels' + (refresh ? '?refresh=true' : ''));
    chans = r.channels || [];
    draw();
  }

  async function loadSummary() {
    summary = await get('/api/v1/sessions/active');
    updateRows();
    if (orderKey() !== drawnOrder) arrange();
  }

  function rank(c) {
    const sc = schedOf(c.id);
    return sc ? (sc.periodic ? 0 : 1) : c.live ? 2 : 3;
  }

  function orderKey() {
    return chans.map((c) => `${c.id}:${rank(c)}`).join(',');
  }

  function schedOf(id) {
    return summary && summary.channels ? summary.channels.find((c) => String(c.id) === String(id)) : null;
  }

  function draw() {
    clear(list);
    rows.clear();
    if (!chans.length) {
      list.append(h('li', { class: 'empty' }, t('channels.none')));
      return;
    }
    for (const c of chans) {
      const intId = newId('interval');
      const interval = h('input', { id: intId, type: 'number', min: 5, max: 86400, step: 1, value: defaultInterval(), class: 'interval' });
      interval.addEventListener('input', () => {
        interval.dataset.edited = '1';
      });
      const live = badge(c.live ? t('channels.live') : t('channels.offline'), c.live ? 'live' : 'offline');
      const viewers = h('span', { class: 'viewers' });
      const sched = h('p', { class: 'sched' });
      const last = h('p', { class: 'last' });
      const job = h('p', { class: 'jobline' });
      const bAdd = h('button', { type: 'button', class: 'btn', 'data-action': 'add' }, t('channels.add'));
      const bNow = h('button', { type: 'button', class: 'btn primary', 'data-action': 'capture' }, t('channels.capture_now'));
      const bStart = h('button', { type: 'button', class: 'btn', 'data-action': 'start' }, t('channels.start'));
      const bStop = h('button', { type: 'button', class: 'btn', 'data-action': 'stop' }, t('channels.stop'));
      const bLive = h('button', { type: 'button', class: 'btn', 'data-action': 'live' }, t('channels.while_live'));
      const name = c.display_name || c.login;
      for (const b of [bAdd, bNow, bStart, bStop, bLive]) b.setAttribute('aria-describedby', `ch-${c.id}-name`);
      bAdd.addEventListener('click', () => addToSession(c, bAdd));
      bNow.addEventListener('click', () => captureNow(c, bNow));
      bStart.addEventListener('click', () => startPeriodic(c, bStart, interval));
      bStop.addEventListener('click', () => stop(c, bStop));
      bLive.addEventListener('click', () => whileLive(c, bLive, interval));
      const li = h(
        'li',
        { class: 'channel card', 'data-login': c.login },
        h(
          'div',
          { class: 'ch-head' },
          h('h2', { id: `ch-${c.id}-name`, class: 'ch-name' }, name),
          h('span', { class: 'ch-login' }, c.login !== name.toLowerCase() ? c.login : ''),
          badge(t('role.' + c.role), 'role'),
          live,
          viewers,
        ),
        sched,
        last,
        job,
        h(
          'div',
          { class: 'ch-actions' },
          bAdd,
          bNow,
          h('span', { class: 'interval-field' }, h('label', { for: intId }, t('channels.interval')), interval),
          bStart,
          bLive,
          bStop,
          h('a', { class: 'btn link', href: `#/dashboard?channel=${encodeURIComponent(c.login)}` }, t('channels.view_stats')),
        ),
      );
      if (typeof c.viewer_count === 'number') viewers.textContent = t('channels.viewers', { n: fmtInt(c.viewer_count) });
      rows.set(String(c.id), { li, sched, last, job, bStop, bAdd, bStart, bLive, interval });
    }
    updateRows();
    arrange();
    applyFilter();
  }

  /**
   * Puts the channels captured periodically first, then the rest of the session, then live
   * ones, then by name, the channels outside the session under "Other channels". Moves the
   * existing rows (their buttons stay the same elements while an action runs).
   */
  function arrange() {
    if (!rows.size) return;
    drawnOrder = orderKey();
    const sorted = [...chans].sort((a, b) => rank(a) - rank(b) || a.login.localeCompare(b.login));
    const head = list.querySelector('.group-head') || h('li', { class: 'group-head' }, h('h2', null, t('channels.others')));
    head.remove();
    sorted.forEach((c, i) => {
      if (rank(c) >= 2 && i > 0 && rank(sorted[i - 1]) < 2) list.append(head);
      list.append(rows.get(String(c.id)).li);
    });
  }

  function updateRows() {
    for (const [id, r] of rows) {
      const sc = schedOf(id);
      r.sched.textContent = scheduleText(sc);
      r.li.classList.toggle('in-session', !!sc);
      r.li.classList.toggle('periodic', !!(sc && sc.periodic));
      const lc = sc && sc.last_capture;
      r.last.textContent = lc
        ? t('channels.last_capture', { n: fmtInt(lc.chatters), seq: lc.seq, time: fmtDateTime(lc.taken_at), joined: fmtInt(lc.joined), left: fmtInt(lc.left) })
        : '';
      clear(r.job);
      if (sc && sc.last_job) r.job.append(jobBadge(sc.last_job));
      // offer only what is not already running; the interval box shows the real interval
      const periodic = !!(sc && sc.periodic);
      r.bStop.hidden = !periodic;
      r.bAdd.hidden = !!sc;
      r.bStart.textContent = periodic ? t('channels.change_interval') : t('channels.start');
      if (periodic && document.activeElement !== r.interval && !r.interval.dataset.edited) r.interval.value = String(sc.interval_s);
      r.li.classList.toggle('compact', !sc);
    }
  }

  async function addToSession(c, btn) {
    await act(btn, t('channels.adding', { name: c.login }), async () => {
      await put(`/api/v1/sessions/active/channels/${c.id}`);
      await loadSummary();
      return t('channels.added');
    });
  }

  async function captureNow(c, btn) {
    await act(btn, t('channels.capturing', { name: c.login }), async (a) => {
      const before = schedOf(c.id);
      const seqBefore = before && before.last_capture ? before.last_capture.seq : 0;
      const r = await post(`/api/v1/sessions/active/channels/${c.id}/capture`);
      a.set('queued', r.already_queued ? t('channels.already_queued') : '');
      loadSummary().catch(() => {});
      const job = await followJob(r.job_id, (state, j) => a.set(state, j.error || ''));
      if (job.state === 'failed') {
        loadSummary().catch(() => {});
        a.set('failed', job.error || t('error.unknown'));
        return;
      }
      // the gateway caches the summary for a second: wait for the new capture to show
      let sc = null;
      for (let i = 0; i < 10; i++) {
        await loadSummary().catch(() => {});
        sc = schedOf(c.id);
        if (sc && sc.last_capture && sc.last_capture.seq > seqBefore) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      a.done(sc && sc.last_capture ? t('channels.captured', { n: fmtInt(sc.last_capture.chatters) }) : '');
    });
  }

  function readInterval(input) {
    const v = Number(input.value);
    if (!Number.isInteger(v) || v < 5 || v > 86400) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      throw new Error(t('channels.bad_interval'));
    }
    input.removeAttribute('aria-invalid');
    return v;
  }

  async function startPeriodic(c, btn, input) {
    await act(btn, t('channels.starting', { name: c.login }), async () => {
      const interval = readInterval(input);
      await put(`/api/v1/sessions/active/channels/${c.id}/schedule`, { interval_s: interval });
      delete input.dataset.edited;
      await loadSummary();
      return t('channels.periodic', { n: interval });
    });
  }

  async function stop(c, btn) {
    await act(btn, t('channels.stopping', { name: c.login }), async () => {
      await del(`/api/v1/sessions/active/channels/${c.id}/schedule`);
      await loadSummary();
      return t('channels.stopped');
    });
  }

  async function whileLive(c, btn, input) {
    await act(btn, t('channels.live_watch', { name: c.login }), async () => {
      const interval = readInterval(input);
      const r = await put(`/api/v1/sessions/active/channels/${c.id}/live`, { interval_s: interval });
      await loadSummary();
      return r.live ? t('channels.live_now') : t('channels.live_waiting');
    });
  }

  async function poll() {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await loadSummary();
      } catch {
        /* the next poll tries again; actions show their own errors */
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }

  try {
    await Promise.all([loadChannels(false), loadSummary()]);
    clear(status);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate('#/channels')));
  }
  timer = setTimeout(poll, POLL_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
