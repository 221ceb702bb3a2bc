// A chatter's profile: account creation and age, time present, every session and channel
// they were seen in, the name history, and a link to their Twitch page.
import { get } from '../api.js';
import { fmtAge, fmtDate, fmtDateTime, fmtDuration, fmtInt, t } from '../i18n.js';
import { badge, card, clear, errorBox, h, loading, pageTitle, stack } from '../ui.js';
import { flagDetails } from '../flags.js';
import { reasonList } from './dashboard.js';

/**
 * The account's flags in the newest session it was seen in (the profile API has none; the
 * session's flag list has them with their reasons); null when not flagged or unknown.
 */
async function flagsOf(p) {
  const sessions = [...new Set((p.sessions || []).map((s) => s.session))].sort((a, b) => b - a);
  if (!sessions.length) return null;
  try {
    const doc = await get(`/api/v1/sessions/${sessions[0]}/stats?sections=flag_list`);
    const a = ((doc.flags && doc.flags.accounts) || []).find((x) => String(x.id) === String(p.id));
    return a ? { session: sessions[0], reasons: reasonList(a.reasons), details: a.details } : null;
  } catch {
    return null;
  }
}

export async function render(main, args, ctx) {
  const id = args[0];
  const title = pageTitle(main, t('profile.title'));
  const back = h('a', { class: 'btn small', href: '#/chatters' }, '← ', t('profile.back'));
  back.addEventListener('click', (e) => {
    if (history.length > 1) {
      e.preventDefault();
      history.back();
    }
  });
  const status = h('div', { class: 'view-status' }, loading());
  main.append(h('div', { class: 'toolbar' }, back), status);
  if (!/^\d+$/.test(id || '')) {
    clear(status).append(errorBox(new Error(t('profile.bad_id'))));
    return;
  }
  let p;
  try {
    p = await get(`/api/v1/chatters/${id}`);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate(location.hash)));
    return;
  }
  const flags = await flagsOf(p);
  clear(status);
  title.textContent = t('profile.title_of', { name: p.display_name || p.login });
  document.title = `${p.login} · tca`;
  const dl = h(
    'dl',
    { class: 'facts' },
    h('dt', null, t('profile.flags')),
    h(
      'dd',
      { 'data-field': 'flags' },
      flags
        ? [flags.reasons.map((r) => badge(t('reason.' + r), 'danger')), ' ', h('span', { class: 'flag-why' }, flagDetails(flags.details)), ' ', h('small', { class: 'hint' }, t('profile.flags_in', { id: flags.session }))]
        : t('profile.not_flagged'),
    ),
    h('dt', null, t('profile.roles')),
    h(
      'dd',
      { 'data-field': 'roles' },
      (p.roles || []).length ? p.roles.map((x) => [badge(t('profile.role_in', { role: t('role.' + x.role), channel: x.channel }), 'info'), ' ']) : t('profile.no_roles'),
    ),
    h('dt', null, t('profile.watchlist')),
    h('dd', { 'data-field': 'watched' }, p.watched ? [badge(t('chatters.watched'), 'warn'), ' ', [p.watched.reason, p.watched.note].filter(Boolean).join(' · ')] : t('profile.not_watched')),
    h('dt', null, t('profile.login')),
    h('dd', { 'data-field': 'login' }, p.login),
    h('dt', null, t('profile.id')),
    h('dd', null, p.id),
    h('dt', null, t('profile.created')),
    h('dd', null, fmtDate(p.created_at)),
    h('dt', null, t('profile.age')),
    h('dd', { 'data-field': 'age', title: p.account_age_days_when_first_seen == null ? null : t('profile.age_days', { n: fmtInt(p.account_age_days_when_first_seen) }) }, fmtAge(p.account_age_days_when_first_seen)),
    h('dt', null, t('profile.present')),
    h('dd', null, fmtDuration(p.time_present_ms)),
    h('dt', null, t('profile.renames')),
    h('dd', null, fmtInt(p.renames)),
    h('dt', null, t('profile.twitch')),
    h('dd', null, h('a', { href: `https://www.twitch.tv/${encodeURIComponent(p.login)}`, target: '_blank', rel: 'noopener noreferrer', class: 'twitch-link' }, `twitch.tv/${p.login}`)),
  );
  const sessions = p.sessions || [];
  const sessTable = h(
    'table',
    { class: 'data' },
    h('thead', null, h('tr', null, ['profile.col.session', 'profile.col.channel', 'profile.col.captures', 'profile.col.first', 'profile.col.last', 'profile.col.present'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h(
      'tbody',
      null,
      sessions.map((s) =>
        h(
          'tr',
          null,
          h('td', null, h('a', { href: `#/dashboard/${s.session}` }, '#' + s.session)),
          h('td', null, s.channel),
          h('td', { class: 'num' }, fmtInt(s.captures_seen)),
          h('td', null, fmtDateTime(s.first_seen)),
          h('td', null, fmtDateTime(s.last_seen)),
          h('td', { class: 'num' }, fmtDuration(s.present_ms)),
        ),
      ),
    ),
  );
  const names = p.names || [];
  const nameTable = h(
    'table',
    { class: 'data' },
    h('thead', null, h('tr', null, ['profile.col.login', 'profile.col.display', 'profile.col.seen'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', null, names.map((n) => h('tr', null, h('td', null, n.login), h('td', null, n.display_name), h('td', null, fmtDateTime(n.seen_at))))),
  );
  main.append(
    h(
      'div',
      { class: 'grid' },
      card(t('profile.account'), dl),
      card(t('profile.names'), names.length ? stack(nameTable) : h('p', { class: 'hint' }, t('profile.no_names'))),
      Object.assign(card(t('profile.sessions'), sessions.length ? h('div', { class: 'table-wrap' }, stack(sessTable)) : h('p', { class: 'hint' }, t('profile.no_sessions'))), { className: 'card wide' }),
    ),
  );
}
