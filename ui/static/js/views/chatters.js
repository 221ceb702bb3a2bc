// The chatter table of a session, paged by the server: GET /api/v1/sessions/{s}/chatters
// answers the rows in view, sorted, searched (login contains, debounced) and filtered (new,
// returning, flagged, known bots hidden) there, so a 1,000,000-chatter session never comes to
// the browser whole. Rows are virtualised (only those in view exist in the DOM) and a few
// pages are kept in a small cache. Keyboard: arrows, Page Up/Down, Home/End move the active
// row; Enter opens the profile.
import { get, qs } from '../api.js';
import { fmtDate, fmtDateTime, fmtDuration, fmtInt, t } from '../i18n.js';
import { badge, clear, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

const ROW_H = 36;
const OVERSCAN = 8;
const FETCH_DELAY_MS = 60;

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

/** Rows a page request asks for; the gateway answers at most 500. */
export const PAGE = 200;
/** Pages kept in the browser at once: memory stays flat however long the session is. */
export const MAX_PAGES = 24;

/** The query string of one page of the table in state st. */
export function pageQuery(st, offset, limit = PAGE) {
  return qs({
    offset,
    limit,
    sort: st.sort,
    order: st.dir,
    q: (st.search || '').trim() || null,
    filter: st.filter && st.filter !== 'all' ? st.filter : null,
    exclude_bots: st.hideBots ? 1 : null,
    channel: st.channel || null,
  });
}

/**
 * Pages of rows fetched through load(offset, limit) -> {total, chatters, rows}: each page is
 * asked for once while it is in flight, at most maxPages are kept (the least recently used
 * goes), and answers of an older generation (before reset) are dropped.
 */
export class PageCache {
  constructor(load, onPage, { pageSize = PAGE, maxPages = MAX_PAGES } = {}) {
    this.load = load;
    this.onPage = onPage;
    this.pageSize = pageSize;
    this.maxPages = maxPages;
    this.reset();
  }

  reset() {
    this.gen = (this.gen || 0) + 1;
    this.pages = new Map();
    this.pending = new Map();
  }

  /** The row at index i, or undefined (then its page is requested unless peek). */
  row(i, peek = false) {
    const p = Math.floor(i / this.pageSize);
    const page = this.pages.get(p);
    if (page) {
      this.pages.delete(p); // most recently used last
      this.pages.set(p, page);
      return page[i - p * this.pageSize];
    }
    if (!peek) this.fetch(p).catch(() => {}); // a failed page is asked again at the next draw
    return undefined;
  }

  /** Requests page p unless it is here or on its way; resolves with the answer. */
  fetch(p) {
    if (this.pages.has(p)) return Promise.resolve(null);
    if (this.pending.has(p)) return this.pending.get(p);
    const gen = this.gen;
    const done = this.load(p * this.pageSize, this.pageSize).then(
      (r) => {
        if (gen !== this.gen) return null;
        this.pending.delete(p);
        this.pages.set(p, r.rows || []);
        while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value);
        if (this.onPage) this.onPage(r);
        return r;
      },
      (e) => {
        if (gen === this.gen) this.pending.delete(p);
        throw e;
      },
    );
    this.pending.set(p, done);
    return done;
  }
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
    ['all', 'new', 'returning', 'flagged', 'role', 'watched'].map((f) => h('option', { value: f, selected: (query.get('filter') || 'all') === f }, t('chatters.filter.' + f))),
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

  let total = 0;
  let active = 0;
  const st = { search: '', filter: filterSel.value, hideBots: false, sort: 'time_present_s', dir: 'desc', channel: chanSel.value };
  const base = `/api/v1/sessions/${sessionId}/chatters`;
  let raf = 0;
  let fetchTimer = 0;
  const redraw = () => {
    if (!raf)
      raf = requestAnimationFrame(() => {
        raf = 0;
        draw();
      });
  };
  const pages = new PageCache((offset, limit) => get(base + pageQuery(st, offset, limit)), redraw);

  const headButtons = COLUMNS.map((c) => {
    const b = h('button', { type: 'button', class: 'sort', 'data-col': c.key }, t(c.label));
    b.addEventListener('click', () => {
      if (st.sort === c.key) st.dir = st.dir === 'asc' ? 'desc' : 'asc';
      else {
        st.sort = c.key;
        st.dir = c.type === 'text' ? 'asc' : 'desc';
      }
      active = 0;
      viewport.scrollTop = 0;
      recompute().catch(failed);
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

  // roles Twitch gave a broadcaster's captures, and the user's watchlist, beside the login
  function marks(r) {
    const out = [];
    if (r.role) out.push(' ', badge(t('role.' + r.role), 'info'));
    if (r.watched) out.push(' ', badge(t('chatters.watched'), 'warn'));
    return out;
  }

  function open(i) {
    const r = pages.row(i);
    if (r) ctx.navigate(`#/chatter/${r.id}`);
  }

  function draw() {
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 500;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const frag = document.createDocumentFragment();
    const missing = new Set();
    for (let i = first; i < last; i++) {
      const r = pages.row(i, true);
      if (!r) missing.add(i);
      const row = h('div', {
        class: 'vt-row' + (i === active ? ' active' : '') + (r ? (r.flagged ? ' flagged' : '') + (r.known_bot ? ' bot' : '') + (r.watched ? ' watched' : '') : ' pending'),
        role: 'row',
        'aria-rowindex': i + 2,
        'aria-selected': i === active ? 'true' : 'false',
        'aria-busy': r ? 'false' : 'true',
        'data-index': i,
        'data-login': r ? r.login : '',
        id: `${gridId}-r${i}`,
      });
      row.style.transform = `translateY(${i * ROW_H}px)`;
      for (const c of COLUMNS) {
        const cell = h('div', { role: 'gridcell', class: `vt-cell c-${c.key}` });
        if (!r) cell.textContent = c.key === 'login' ? '…' : '';
        else if (c.key === 'login') cell.append(h('a', { href: `#/chatter/${r.id}`, tabindex: '-1' }, r.login), ...marks(r));
        else if (c.key === 'status') cell.append(badge(cellText(r, c.key), r.status === 'new' ? 'info' : 'ok'));
        else cell.textContent = cellText(r, c.key);
        row.append(cell);
      }
      frag.append(row);
    }
    body.replaceChildren(frag);
    // Pages are asked for once the grid rests for a moment: dragging the scrollbar across a
    // million rows must not send a request per frame (the API is rate-limited per client).
    clearTimeout(fetchTimer);
    if (missing.size)
      fetchTimer = setTimeout(() => {
        for (const i of missing) pages.row(i);
      }, FETCH_DELAY_MS);
    if (total) viewport.setAttribute('aria-activedescendant', `${gridId}-r${active}`);
    else viewport.removeAttribute('aria-activedescendant');
  }

  // A new sort, filter or search: the server answers the first page of rows in view, with
  // the number of rows matching; older answers still on their way are dropped.
  let asked = 0;
  async function recompute() {
    performance.mark('tca-table-view-start');
    const mine = ++asked;
    pages.reset();
    markSort();
    const r = await pages.fetch(Math.floor(viewport.scrollTop / ROW_H / PAGE));
    if (mine !== asked || !r) return;
    total = r.total;
    viewport.setAttribute('aria-rowcount', String(total + 1));
    spacer.style.height = `${total * ROW_H}px`;
    active = Math.min(active, Math.max(0, total - 1));
    count.textContent = t('chatters.count', { n: fmtInt(total), total: fmtInt(r.chatters) });
    draw();
    performance.mark('tca-table-view-end');
    performance.measure('tca-table-view', 'tca-table-view-start', 'tca-table-view-end');
    document.body.dataset.tableViews = String(Number(document.body.dataset.tableViews || 0) + 1);
  }

  viewport.addEventListener('scroll', () => {
    markEnd();
    redraw();
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
    else if (e.key === 'End') next = total - 1;
    else if (e.key === 'Enter') {
      e.preventDefault();
      open(active);
      return;
    } else return;
    e.preventDefault();
    active = Math.max(0, Math.min(total - 1, next));
    const y = active * ROW_H;
    const headH = header.offsetHeight || ROW_H;
    if (y < viewport.scrollTop) viewport.scrollTop = y;
    else if (y + ROW_H > viewport.scrollTop + viewport.clientHeight - headH) viewport.scrollTop = y + ROW_H - viewport.clientHeight + headH;
    draw();
  });

  // Search asks the server once typing pauses, not at every key.
  let debounce = 0;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      st.search = search.value;
      active = 0;
      viewport.scrollTop = 0;
      recompute().catch(failed);
    }, 200);
  });
  filterSel.addEventListener('change', () => {
    st.filter = filterSel.value;
    active = 0;
    viewport.scrollTop = 0;
    recompute().catch(failed);
  });
  botsBox.addEventListener('change', () => {
    st.hideBots = botsBox.checked;
    active = 0;
    viewport.scrollTop = 0;
    recompute().catch(failed);
  });

  function failed(e) {
    status.replaceChildren(errorBox(e, load));
  }

  async function load() {
    status.replaceChildren(loading(t('chatters.loading')));
    try {
      st.channel = chanSel.value;
      performance.mark('tca-table-start');
      await recompute();
      markEnd();
      performance.mark('tca-table-end');
      performance.measure('tca-table', 'tca-table-start', 'tca-table-end');
      status.replaceChildren();
      document.body.dataset.tableReady = '1';
    } catch (e) {
      failed(e);
    }
  }
  chanSel.addEventListener('change', () => {
    viewport.scrollTop = 0;
    active = 0;
    load();
  });
  await load();
  return () => {
    clearTimeout(debounce);
    clearTimeout(fetchTimer);
    pages.reset();
    delete document.body.dataset.tableReady;
  };
}
