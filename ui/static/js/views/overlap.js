// Overlap: the matrix of shared chatters between the session's channels (a cell opens the
// pair with its shared chatters), and the comparison of two sessions.
import { get, qs } from '../api.js';
import { fmtInt, fmtPct, t } from '../i18n.js';
import { act, card, clear, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

/**
 * The share of the smaller audience that the two have in common: 311 shared chatters are 1%
 * by Jaccard next to a 20,000-chatter channel but 21% of a 1,500-chatter one.
 */
export function ofSmaller(shared, a, b) {
  const m = Math.min(a || 0, b || 0);
  return m ? shared / m : null;
}

function sharedList(doc) {
  const shared = doc.shared_chatters || [];
  const wrap = h('div', null);
  wrap.append(
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('overlap.a_chatters')),
      h('dd', null, fmtInt(doc.a_chatters)),
      h('dt', null, t('overlap.b_chatters')),
      h('dd', null, fmtInt(doc.b_chatters)),
      h('dt', null, t('overlap.shared')),
      h('dd', { 'data-field': 'shared' }, fmtInt(doc.shared)),
      h('dt', null, t('overlap.either')),
      h('dd', null, fmtInt(doc.either)),
      h('dt', null, t('overlap.of_smaller')),
      h('dd', { 'data-field': 'of_smaller' }, fmtPct(ofSmaller(doc.shared, doc.a_chatters, doc.b_chatters), 1)),
      h('dt', null, t('overlap.jaccard')),
      h('dd', null, fmtPct(doc.jaccard, 1)),
    ),
  );
  if (shared.length) {
    wrap.append(
      h('h3', null, t('overlap.shared_list', { n: fmtInt(shared.length) })),
      h('ul', { class: 'shared-list' }, shared.slice(0, 500).map((c) => h('li', null, h('a', { href: `#/chatter/${c.id}` }, c.login || c.id)))),
    );
    if (shared.length > 500) wrap.append(h('p', { class: 'hint' }, t('overlap.more', { n: fmtInt(shared.length - 500) })));
  }
  return wrap;
}

export async function render(main, args, ctx) {
  const sid = ctx.session(args[0]);
  pageTitle(main, t('overlap.title'));
  const status = h('div', { class: 'view-status' }, loading());
  main.append(status);
  let summary;
  try {
    summary = await get(`/api/v1/sessions/${sid}`);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate(location.hash)));
    return;
  }
  clear(status);
  const sessionId = summary.id;

  // ---- the channel matrix ----
  const matrixBox = h('div', { class: 'table-wrap' }, loading());
  const pairBox = h('div', { class: 'pair', 'aria-live': 'polite' });
  const matrixCard = card(t('overlap.matrix'), h('p', { class: 'hint' }, t('overlap.matrix_hint')), matrixBox, pairBox);
  matrixCard.classList.add('wide');

  async function openPair(a, b, btn) {
    await act(btn, t('overlap.pair', { a, b }), async () => {
      const doc = await get(`/api/v1/sessions/${sessionId}/overlap` + qs({ a, b }));
      clear(pairBox).append(h('h3', { tabindex: '-1' }, t('overlap.pair', { a, b })), sharedList(doc));
      pairBox.querySelector('h3').focus();
      return t('overlap.shared_n', { n: fmtInt(doc.shared) });
    });
  }

  async function loadMatrix() {
    try {
      const doc = await get(`/api/v1/sessions/${sessionId}/stats?sections=overlap`);
      const ov = doc.overlap || { channels: [], pairs: [] };
      const chans = ov.channels || [];
      clear(matrixBox);
      if (chans.length < 2) {
        matrixBox.append(h('p', { class: 'hint' }, t('overlap.need_two')));
        return;
      }
      const pair = new Map();
      for (const p of ov.pairs || []) {
        pair.set(`${p.a}|${p.b}`, p);
        pair.set(`${p.b}|${p.a}`, p);
      }
      const size = new Map(chans.map((c) => [c.login, c.chatters]));
      const share = (p) => ofSmaller(p.shared, size.get(p.a), size.get(p.b)) || 0;
      const maxS = Math.max(0.0001, ...(ov.pairs || []).map(share));
      matrixBox.append(
        h(
          'table',
          { class: 'data matrix' },
          h('caption', null, t('overlap.caption')),
          h('thead', null, h('tr', null, h('td'), chans.map((c) => h('th', { scope: 'col' }, c.login)))),
          h(
            'tbody',
            null,
            chans.map((r) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, r.login, h('small', null, ' ', t('overlap.n_chatters', { n: fmtInt(r.chatters) }))),
                chans.map((c) => {
                  if (c.login === r.login) return h('td', { class: 'diag' }, fmtInt(r.chatters));
                  const p = pair.get(`${r.login}|${c.login}`);
                  if (!p) return h('td', null, '—');
                  const level = Math.min(4, Math.floor((share(p) / maxS) * 4.999));
                  const label = t('overlap.cell_label_smaller', { a: r.login, b: c.login, n: fmtInt(p.shared), s: fmtPct(share(p), 1), j: fmtPct(p.jaccard, 1) });
                  const b = h('button', { type: 'button', class: `cell heat-${level}`, 'aria-label': label, title: label }, fmtInt(p.shared), h('small', null, fmtPct(share(p), 1)));
                  b.addEventListener('click', () => openPair(r.login, c.login, b));
                  return h('td', null, b);
                }),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      clear(matrixBox).append(errorBox(e, loadMatrix));
    }
  }

  // ---- session to session ----
  const selA = h('select', { id: newId('sa') });
  const selB = h('select', { id: newId('sb') });
  const cmpBtn = h('button', { type: 'submit', class: 'btn primary' }, t('overlap.compare'));
  const cmpBox = h('div', { class: 'pair', 'aria-live': 'polite' });
  const form = h('form', { class: 'toolbar' }, field(t('overlap.session_a'), selA), field(t('overlap.session_b'), selB), cmpBtn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (selA.value === selB.value) {
      clear(cmpBox).append(h('p', { class: 'warn-text', role: 'alert' }, t('overlap.same_session')));
      return;
    }
    act(cmpBtn, t('overlap.comparing'), async () => {
      const doc = await get('/api/v1/overlap' + qs({ session_a: selA.value, session_b: selB.value }));
      clear(cmpBox).append(sharedList(doc));
      return t('overlap.shared_n', { n: fmtInt(doc.shared) });
    });
  });
  const cmpCard = card(t('overlap.sessions'), h('p', { class: 'hint' }, t('overlap.sessions_hint')), form, cmpBox);
  cmpCard.classList.add('wide');

  main.append(h('div', { class: 'grid' }, matrixCard, cmpCard));
  loadMatrix();
  try {
    const r = await get('/api/v1/sessions');
    const sessions = r.sessions || [];
    const opt = (s, sel) => h('option', { value: s.id, selected: sel }, (s.label || t('sessions.unnamed', { id: s.id })) + (s.active ? ` (${t('sessions.active')})` : ''));
    selA.append(...sessions.map((s) => opt(s, s.id === sessionId)));
    const other = sessions.find((s) => s.id !== sessionId);
    selB.append(...sessions.map((s) => opt(s, other && s.id === other.id)));
    if (sessions.length < 2) cmpBox.append(h('p', { class: 'hint' }, t('overlap.need_two_sessions')));
  } catch (e) {
    cmpBox.append(errorBox(e));
  }
}
