// Settings: webhooks (add with their events, test, delete; the URL is only ever shown masked,
// a json webhook's signing secret once) with their latest deliveries, and the watchlist (add
// by login or id, import a CSV, export, remove).
import { del, get, post } from '../api.js';
import { fmtDateTime, fmtInt, t } from '../i18n.js';
import { act, badge, card, clear, errorBox, field, h, loading, newId } from '../ui.js';

const EVENTS = ['raid', 'bot_wave', 'watched_joined', 'capture_failing', 'login_rejected', 'follower_wave'];
const STATE_KIND = { sent: 'ok', failed: 'danger', queued: '' };

export function webhooksCard() {
  const kindSel = h('select', null, ['discord', 'slack', 'json'].map((k) => h('option', { value: k }, t('hooks.kind.' + k))));
  const urlIn = h('input', { type: 'url', maxlength: 512, required: true, placeholder: 'https://discord.com/api/webhooks/…', autocomplete: 'off' });
  const boxes = EVENTS.map((ev) => {
    const box = h('input', { type: 'checkbox', id: newId('ev'), value: ev, checked: ev !== 'bot_wave' });
    return h('div', { class: 'field check' }, box, h('label', { for: box.id }, t('hooks.ev.' + ev)));
  });
  const addBtn = h('button', { type: 'submit', class: 'btn primary' }, t('hooks.add'));
  const shown = h('div', { class: 'key-shown', hidden: true });
  const list = h('div', { class: 'table-wrap' }, loading());
  const deliveries = h('div', { class: 'table-wrap' });
  const form = h('form', { class: 'toolbar', novalidate: true }, field(t('hooks.kind'), kindSel), field(t('hooks.url'), urlIn, t('hooks.url_hint')), ...boxes, addBtn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const url = urlIn.value.trim();
    if (!/^https:\/\/\S+$/.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
      urlIn.setAttribute('aria-invalid', 'true');
      urlIn.focus();
      return;
    }
    urlIn.removeAttribute('aria-invalid');
    const events = boxes.map((b) => b.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    act(addBtn, t('hooks.adding'), async () => {
      const w = await post('/api/v1/webhooks', { kind: kindSel.value, url, events });
      urlIn.value = '';
      clear(shown);
      shown.hidden = !w.secret;
      if (w.secret) shown.append(h('p', { class: 'warn-text' }, t('hooks.secret_once')), h('input', { type: 'text', readonly: true, value: w.secret, class: 'key-value hook-secret', 'aria-label': t('hooks.secret') }));
      await load();
      return t('hooks.added');
    });
  });

  async function load() {
    let r, d;
    try {
      [r, d] = await Promise.all([get('/api/v1/webhooks'), get('/api/v1/deliveries?limit=20')]);
    } catch (e) {
      clear(list).append(errorBox(e, load));
      return;
    }
    clear(list);
    const hooks = r.webhooks || [];
    if (!hooks.length) list.append(h('p', { class: 'hint' }, t('hooks.none')));
    else
      list.append(
        h(
          'table',
          { class: 'data hooks-table' },
          h('thead', null, h('tr', null, ['hooks.col.kind', 'hooks.col.url', 'hooks.col.events', 'hooks.col.action'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h(
            'tbody',
            null,
            hooks.map((w) => {
              const test = h('button', { type: 'button', class: 'btn small' }, t('hooks.test'));
              test.addEventListener('click', () => act(test, t('hooks.testing'), async () => (await post(`/api/v1/webhooks/${w.id}/test`, {}), setTimeout(load, 3000), t('hooks.tested'))));
              const rm = h('button', { type: 'button', class: 'btn small danger' }, t('hooks.delete'));
              rm.addEventListener('click', () => act(rm, t('hooks.deleting'), async () => (await del(`/api/v1/webhooks/${w.id}`), await load(), t('hooks.deleted'))));
              return h('tr', { 'data-hook-id': w.id }, h('td', null, t('hooks.kind.' + w.kind)), h('td', null, h('code', null, w.url)), h('td', null, w.events.map((ev) => t('hooks.ev.' + ev)).join(', ')), h('td', null, test, ' ', rm));
            }),
          ),
        ),
      );
    const ds = d.deliveries || [];
    clear(deliveries);
    if (ds.length)
      deliveries.append(
        h(
          'table',
          { class: 'data deliveries-table' },
          h('caption', null, t('hooks.deliveries')),
          h('thead', null, h('tr', null, ['hooks.col.when', 'hooks.col.event', 'hooks.col.state', 'hooks.col.detail'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h(
            'tbody',
            null,
            ds.map((x) =>
              h('tr', { 'data-delivery-state': x.state }, h('td', null, fmtDateTime(x.created_at)), h('td', null, t('hooks.ev.' + x.event)), h('td', null, badge(t('hooks.state.' + x.state), STATE_KIND[x.state])), h('td', null, x.last_status ? `HTTP ${x.last_status} · ${fmtInt(x.attempts)}×` : x.last_error)),
            ),
          ),
        ),
      );
  }
  load();
  const c = card(t('hooks.title'), h('p', { class: 'hint' }, t('hooks.lead')), form, shown, list, deliveries);
  c.classList.add('wide');
  return c;
}

export function watchlistCard() {
  const whoIn = h('input', { type: 'text', maxlength: 25, placeholder: t('watch.who_ph'), autocomplete: 'off' });
  const reasonIn = h('input', { type: 'text', maxlength: 31 });
  const noteIn = h('input', { type: 'text', maxlength: 255 });
  const addBtn = h('button', { type: 'submit', class: 'btn primary' }, t('watch.add'));
  const fileIn = h('input', { type: 'file', accept: '.csv,text/csv,text/plain' });
  const importBtn = h('button', { type: 'button', class: 'btn' }, t('watch.import'));
  const exportLink = h('a', { class: 'btn', href: '/api/v1/watchlist?format=csv', download: 'watchlist.csv' }, t('watch.export'));
  const list = h('div', { class: 'table-wrap' }, loading());
  const form = h('form', { class: 'toolbar', novalidate: true }, field(t('watch.who'), whoIn), field(t('watch.reason'), reasonIn), field(t('watch.note'), noteIn), addBtn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const who = whoIn.value.trim().toLowerCase();
    if (!/^[a-z0-9_]{1,25}$/.test(who)) {
      whoIn.setAttribute('aria-invalid', 'true');
      whoIn.focus();
      return;
    }
    whoIn.removeAttribute('aria-invalid');
    const body = /^[0-9]+$/.test(who) ? { user_id: who } : { login: who };
    act(addBtn, t('watch.adding', { who }), async () => {
      await post('/api/v1/watchlist', { ...body, reason: reasonIn.value.trim(), note: noteIn.value.trim() });
      whoIn.value = reasonIn.value = noteIn.value = '';
      await load();
      return t('watch.added', { who });
    });
  });
  importBtn.addEventListener('click', () => {
    const f = fileIn.files && fileIn.files[0];
    if (!f) return fileIn.focus();
    act(importBtn, t('bots.importing', { name: f.name }), async () => {
      const r = await post('/api/v1/watchlist/import', await f.text(), { contentType: 'text/csv' });
      await load();
      return t('watch.imported', { n: fmtInt(r.stored) });
    });
  });

  async function load() {
    let r;
    try {
      r = await get('/api/v1/watchlist');
    } catch (e) {
      clear(list).append(errorBox(e, load));
      return;
    }
    const ws = r.watchlist || [];
    clear(list);
    if (!ws.length) return list.append(h('p', { class: 'hint' }, t('watch.none')));
    list.append(
      h(
        'table',
        { class: 'data watch-table' },
        h('caption', null, t('watch.count', { n: fmtInt(ws.length) })),
        h('thead', null, h('tr', null, ['watch.col.who', 'watch.reason', 'watch.note', 'bots.col.action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          null,
          ws.map((w) => {
            const rm = h('button', { type: 'button', class: 'btn small' }, t('bots.remove'));
            rm.addEventListener('click', () => act(rm, t('bots.removing', { login: w.login || w.user_id }), async () => (await del(`/api/v1/watchlist/${w.id}`), await load(), t('bots.removed', { login: w.login || w.user_id }))));
            return h('tr', { 'data-watch-id': w.id }, h('td', null, w.login || '—', w.user_id ? h('span', { class: 'hint' }, ` #${w.user_id}`) : ''), h('td', null, w.reason), h('td', null, w.note), h('td', null, rm));
          }),
        ),
      ),
    );
  }
  load();
  return card(t('watch.title'), h('p', { class: 'hint' }, t('watch.lead')), form, h('div', { class: 'toolbar' }, field(t('watch.file'), fileIn, t('watch.file_hint')), importBtn, exportLink), list);
}
