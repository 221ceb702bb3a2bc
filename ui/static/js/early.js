// Requests the page's first server answer while the rest of the app still loads: opened at
// #/chatters/ID, the table's first page is asked for here, before the modules, GET /api/v1/me
// and the session summary the chatters view waits for (on a 1,000,000-chatter session a cold
// first page is most of the open, and it then runs beside the page's own start). The view
// takes the answer only if it asks for exactly the same URL, once, before any navigation:
// a request of another state is never answered by this one. Must never import a view (it
// runs before them) nor keep an answer past the first navigation.
import { get, qs } from './api.js';

/** Rows a page request of the chatter table asks for; the gateway answers at most 500. */
export const PAGE = 200;

/** The query string of one page of the chatter table in state st. */
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

/** The chatter view's filters, in its select's order. */
export const TABLE_FILTERS = ['all', 'new', 'returning', 'flagged', 'role', 'watched'];

/** The state a chatter view opened with this query starts in (channel: as the link names it). */
export function initialTableState(query) {
  const f = query.get('filter') || 'all';
  return { search: '', filter: TABLE_FILTERS.includes(f) ? f : 'all', hideBots: false, sort: 'time_present_s', dir: 'desc', channel: query.get('channel') || '' };
}

let early = null; // { url, answer }

/** The answer asked for early for url (a promise as get(url) gives), at most once; else null. */
export function takeEarly(url) {
  if (!early || early.url !== url) return null;
  const { answer } = early;
  early = null;
  return answer;
}

if (typeof location !== 'undefined') {
  const m = /^#\/chatters\/(\d+)(?:\?(.*))?$/.exec(location.hash);
  if (m) {
    const url = `/api/v1/sessions/${m[1]}/chatters` + pageQuery(initialTableState(new URLSearchParams(m[2] || '')), 0);
    // quiet401: before login the app shows its login page; an unused failure stays unreported
    const answer = get(url, { quiet401: true });
    answer.catch(() => {});
    early = { url, answer };
    window.addEventListener('hashchange', () => (early = null), { once: true });
  }
}
