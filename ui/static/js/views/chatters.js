// The chatter table of a session: every chatter (the chatters export as JSON), searchable by
// login, sortable by any column, filtered (new, returning, flagged, known bots hidden), and
// virtualised: only the rows in view exist in the DOM, so 100,000 rows scroll smoothly.
// Keyboard: arrows, Page Up/Down, Home/End move the active row; Enter opens the profile.
import { get, qs } from '../api.js';
import { fmtDate, fmtDateTime, fmtDuration, fmtInt, t } from '../i18n.js';
import { badge, clear, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

const ROW_H = 36;
const OVERSCAN = 8;

export const COLUMNS = [
  { key: 'login', label: 'chatters.col.login', type: 'text' },
  { key: 'status', label: 'chatters.col.status', type: 'text' },
  { key: 'flags', label: 'chatters.col.flags', type: 'text' },
  { key: 'created_at', label: 'chatters.col.created', type: 'date' },
  { key: 'captures_seen', label: 'chatters.col.captures', type: 'num' },
  { key: 'time_present_s', label: 'chatters.col.present', type: 'num' },
  { key: 'first_seen', label: 'chatters.col.first', type: 'date' },
  { key: 'last_seen', label: 'chatters.col.last', type: 'date' },
];

/** Loads the known-bots logins once per page (an empty set when the list is unavailable). */
async function knownBots(ctx) {
  if (ctx.bots) return ctx.bots;
  try {
    const r = await get('/api/v1/bots');
    const list = Array.isArray(r) ? r : r.bots || [];
    ctx.bots = new Set(list.map((b) => String(b.login).toLowerCase()));
  } catch {
    ctx.bots = new Set();
  }
  return ctx.bots;
}

/** The watchlist as ids and logins (empty when unavailable); loaded at each table load. */
async function watchedAccounts() {
  try {
    const r = await get('/api/v1/watchlist');
    const list = r.watchlist || [];
    return { ids: new Set(list.filter((w) => w.user_id).map((w) => String(w.user_id))), logins: new Set(list.map((w) => w.login).filter(Boolean)) };
  } catch {
    return { ids: new Set(), logins: new Set() };
  }
}

/** Prepares rows for sorting and filtering (numbers for dates, lowercase logins). */
export function prepare(rows, bots, watched = { ids: new Set(), logins: new Set() }) {
  for (const r of rows) {
    r._login = String(r.login || '').toLowerCase();
    r._created = r.created_at ? Date.parse(r.created_at) : 0;
    r._first = r.first_seen ? Date.parse(r.first_seen) : 0;
    r._last = r.last_seen ? Date.parse(r.last_seen) : 0;
    r._flagged = !!r.flags;
    r._bot = bots.has(r._login) || /known_bot/.test(r.flags || '');
    r._watched = watched.ids.has(String(r.id)) || watched.logins.has(r._login);
  }
  return rows;
}

const sortKey = { login: '_login', created_at: '_created', first_seen: '_first', last_seen: '_last' };

/** Indices of rows passing the filters, sorted. */
export function view(rows, { search, filter, hideBots, sort, dir }) {
  const q = (search || '').trim().toLowerCase();
  const out = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (q && !r._login.includes(q)) continue;
    if (filter === 'new' && r.status !== 'new') continue;
    if (filter === 'returning' && r.status !== 'returning') continue;
    if (filter === 'flagged' && !r._flagged) continue;
    if (hideBots && r._bot) continue;
    out.push(i);
  }
  const k = sortKey[sort] || sort;
  const s = dir === 'desc' ? -1 : 1;
  out.sort((a, b) => {
    const x = rows[a][k];
    const y = rows[b][k];
    if (x < y) return -s;
    if (x > y) return s;
    return rows[a]._login < rows[b]._login ? -1 : 1;
  });
  return out;
}

export async function render(main, args, ctx, query) {
  const sid = ctx.session(args[0]);
  pageTitle(main, t('chatters.title'));
  const status = h('div', { class: 'view-status' }, loading(t('chatters.loading')));
  main.append(status);
  let summary;
  try {
    summary = await get(`/api/v1/sessions/${sid}`);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate(location.hash)));
    return;
  }
  const sessionId = summary.id;

  const search = h('input', { type: 'search', id: newId('search'), placeholder: t('chatters.search_ph'), autocomplete: 'off', spellcheck: 'false' });
  const filterSel = h(
    'select',
    { id: newId('filter') },
    ['all', 'new', 'returning', 'flagged'].map((f) => h('option', { value: f, selected: (query.get('filter') || 'all') === f }, t('chatters.filter.' + f))),
  );
  const chanSel = h(
    'select',
    { id: newId('chan') },
    h('option', { value: '' }, t('dash.all_channels')),
    (summary.channels || []).map((c) => h('option', { value: c.login, selected: query.get('channel') === c.login }, c.login)),
  );
  const botsBox = h('input', { type: 'checkbox', id: newId('bots') });
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' });
  main.append(
    h(
      'div',
      { class: 'toolbar' },
      field(t('chatters.search'), search),
      field(t('chatters.filter'), filterSel),
      field(t('dash.channel'), chanSel),
      h('div', { class: 'field check' }, botsBox, h('label', { for: botsBox.id }, t('chatters.hide_bots'))),
    ),
    count,
  );

  const gridId = newId('grid');
  const header = h('div', { class: 'vt-row vt-head', role: 'row', 'aria-rowindex': '1' });
  const spacer = h('div', { class: 'vt-spacer' });
  const body = h('div', { class: 'vt-body', role: 'rowgroup' });
  const viewport = h(
    'div',
    { class: 'vt-viewport', role: 'grid', id: gridId, 'aria-label': t('chatters.table_label'), 'aria-readonly': 'true', tabindex: '0' },
    h('div', { role: 'rowgroup', class: 'vt-headgroup' }, header),
    spacer,
    body,
  );
  // At phone width the columns are wider than the screen: the grid scrolls sideways inside
  // itself, with a hint and an edge shadow until its right end is reached.
  const wrap = h('div', { class: 'vt-wrap' }, h('p', { class: 'scroll-hint', 'aria-hidden': 'true' }, t('chatters.scroll_hint')), viewport);
  main.append(wrap, h('p', { class: 'hint' }, t('chatters.keys')));
  const markEnd = () => {
    wrap.dataset.scrolledEnd = viewport.scrollLeft + viewport.clientWidth >= viewport.scrollWidth - 2 ? '1' : '0';
  };

  let rows = [];
  let idx = [];
  let active = 0;
  const st = { search: '', filter: filterSel.value, hideBots: false, sort: 'time_present_s', dir: 'desc' };

  const headButtons = COLUMNS.map((c) => {
    const b = h('button', { type: 'button', class: 'sort', 'data-col': c.key }, t(c.label));
    b.addEventListener('click', () => {
      if (st.sort === c.key) st.dir = st.dir === 'asc' ? 'desc' : 'asc';
      else {
        st.sort = c.key;
        st.dir = c.type === 'text' ? 'asc' : 'desc';
      }
      recompute();
    });
    const cell = h('div', { role: 'columnheader', class: `vt-cell c-${c.key}`, 'aria-sort': 'none' }, b);
    header.append(cell);
    return { c, cell, b };
  });

  function markSort() {
    for (const { c, cell, b } of headButtons) {
      const on = st.sort === c.key;
      cell.setAttribute('aria-sort', on ? (st.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      b.dataset.dir = on ? st.dir : '';
    }
  }

  function cellText(r, key) {
    switch (key) {
      case 'status':
        return t('status.' + r.status);
      case 'flags':
        return r.flags ? r.flags.split('|').map((x) => t('reason.' + x)).join(', ') : '';
      case 'created_at':
        return fmtDate(r.created_at);
      case 'first_seen':
      case 'last_seen':
        return fmtDateTime(r[key]);
      case 'time_present_s':
        return fmtDuration(r.time_present_s * 1000);
      case 'captures_seen':
        return fmtInt(r.captures_seen);
      default:
        return r[key] == null ? '' : String(r[key]);
    }
  }

  function open(i) {
    const r = rows[idx[i]];
    if (r) ctx.navigate(`#/chatter/${r.id}`);
  }

  function draw() {
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 500;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(idx.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const r = rows[idx[i]];
      const row = h('div', {
        class: 'vt-row' + (i === active ? ' active' : '') + (r._flagged ? ' flagged' : '') + (r._bot ? ' bot' : '') + (r._watched ? ' watched' : ''),
        role: 'row',
        'aria-rowindex': i + 2,
        'aria-selected': i === active ? 'true' : 'false',
        'data-index': i,
        'data-login': r.login,
        id: `${gridId}-r${i}`,
      });
      row.style.transform = `translateY(${i * ROW_H}px)`;
      for (const c of COLUMNS) {
        const cell = h('div', { role: 'gridcell', class: `vt-cell c-${c.key}` });
        if (c.key === 'login') {
          cell.append(h('a', { href: `#/chatter/${r.id}`, tabindex: '-1' }, r.login));
          if (r._watched) cell.append(' ', badge(t('watch.badge'), 'warn'));
        }
        else if (c.key === 'status') cell.append(badge(cellText(r, c.key), r.status === 'new' ? 'info' : 'ok'));
        else cell.textContent = cellText(r, c.key);
        row.append(cell);
      }
      frag.append(row);
    }
    body.replaceChildren(frag);
    if (idx.length) viewport.setAttribute('aria-activedescendant', `${gridId}-r${active}`);
    else viewport.removeAttribute('aria-activedescendant');
  }

  function recompute() {
    performance.mark('tca-table-view-start');
    idx = view(rows, st);
    viewport.setAttribute('aria-rowcount', String(idx.length + 1));
    spacer.style.height = `${idx.length * ROW_H}px`;
    active = Math.min(active, Math.max(0, idx.length - 1));
    count.textContent = t('chatters.count', { n: fmtInt(idx.length), total: fmtInt(rows.length) });
    markSort();
    draw();
    performance.mark('tca-table-view-end');
    performance.measure('tca-table-view', 'tca-table-view-start', 'tca-table-view-end');
  }

  let raf = 0;
  viewport.addEventListener('scroll', () => {
    markEnd();
    if (!raf)
      raf = requestAnimationFrame(() => {
        raf = 0;
        draw();
      });
  });
  viewport.addEventListener('click', (e) => {
    const row = e.target.closest('.vt-row[data-index]');
    if (!row) return;
    e.preventDefault();
    active = Number(row.dataset.index);
    open(active);
  });
  viewport.addEventListener('keydown', (e) => {
    if (e.target.closest('.vt-head')) return; // the sort buttons keep their keys
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_H) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    let next = active;
    if (e.key in moves) next = active + moves[e.key];
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = idx.length - 1;
    else if (e.key === 'Enter') {
      e.preventDefault();
      open(active);
      return;
    } else return;
    e.preventDefault();
    active = Math.max(0, Math.min(idx.length - 1, next));
    const y = active * ROW_H;
    const headH = header.offsetHeight || ROW_H;
    if (y < viewport.scrollTop) viewport.scrollTop = y;
    else if (y + ROW_H > viewport.scrollTop + viewport.clientHeight - headH) viewport.scrollTop = y + ROW_H - viewport.clientHeight + headH;
    draw();
  });

  let debounce = 0;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      st.search = search.value;
      active = 0;
      viewport.scrollTop = 0;
      recompute();
    }, 120);
  });
  filterSel.addEventListener('change', () => {
    st.filter = filterSel.value;
    active = 0;
    recompute();
  });
  botsBox.addEventListener('change', () => {
    st.hideBots = botsBox.checked;
    active = 0;
    recompute();
  });

  async function load() {
    status.replaceChildren(loading(t('chatters.loading')));
    try {
      const [data, bots, watched] = await Promise.all([
        get(`/api/v1/sessions/${sessionId}/export` + qs({ what: 'chatters', format: 'json', channel: chanSel.value || null })),
        knownBots(ctx),
        watchedAccounts(),
      ]);
      performance.mark('tca-table-start');
      rows = prepare(Array.isArray(data) ? data : [], bots, watched);
      recompute();
      markEnd();
      performance.mark('tca-table-end');
      performance.measure('tca-table', 'tca-table-start', 'tca-table-end');
      status.replaceChildren();
      document.body.dataset.tableReady = '1';
    } catch (e) {
      status.replaceChildren(errorBox(e, load));
    }
  }
  chanSel.addEventListener('change', load);
  await load();
  return () => {
    clearTimeout(debounce);
    delete document.body.dataset.tableReady;
  };
}
