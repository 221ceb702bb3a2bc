// Settings: API keys (create: the key is shown once; revoke), the known-bots list (view,
// add, import a CSV, remove), webhooks and the watchlist (settings_alerts.js), and the default
// capture interval (kept in this browser).
import { del, get, post } from '../api.js';
import { fmtDateTime, fmtInt, t } from '../i18n.js';
import { webhooksCard, watchlistCard } from './settings_alerts.js';
import { act, badge, card, clear, confirmDialog, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

const INTERVAL_KEY = 'tca.interval';

export function defaultInterval() {
  try {
    const v = Number(localStorage.getItem(INTERVAL_KEY));
    if (Number.isInteger(v) && v >= 5 && v <= 86400) return v;
  } catch {
    /* storage refused */
  }
  return 60;
}

function keysCard() {
  const nameIn = h('input', { type: 'text', maxlength: 63, required: true, placeholder: t('keys.name_ph') });
  const roBox = h('input', { type: 'checkbox', id: newId('ro') });
  const createBtn = h('button', { type: 'submit', class: 'btn primary' }, t('keys.create'));
  const shown = h('div', { class: 'key-shown', hidden: true, role: 'region', 'aria-label': t('keys.new_key') });
  const list = h('div', { class: 'table-wrap' }, loading());
  const form = h(
    'form',
    { class: 'toolbar', novalidate: true },
    field(t('keys.name'), nameIn),
    h('div', { class: 'field check' }, roBox, h('label', { for: roBox.id }, t('keys.read_only'))),
    createBtn,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = nameIn.value.trim();
    if (!name) {
      nameIn.setAttribute('aria-invalid', 'true');
      nameIn.focus();
      return;
    }
    nameIn.removeAttribute('aria-invalid');
    act(createBtn, t('keys.creating', { name }), async () => {
      const k = await post('/api/v1/keys', { name, read_only: roBox.checked });
      const input = h('input', { type: 'text', readonly: true, value: k.key, class: 'key-value', id: newId('key'), 'aria-label': t('keys.new_key') });
      const copy = h('button', { type: 'button', class: 'btn small' }, t('keys.copy'));
      copy.addEventListener('click', async () => {
        input.select();
        try {
          await navigator.clipboard.writeText(k.key);
          copy.textContent = t('keys.copied');
        } catch {
          document.execCommand('copy');
          copy.textContent = t('keys.copied');
        }
      });
      const hide = h('button', { type: 'button', class: 'btn small' }, t('keys.hide'));
      hide.addEventListener('click', () => {
        clear(shown);
        shown.hidden = true;
      });
      clear(shown).append(h('p', { class: 'warn-text' }, t('keys.shown_once')), h('div', { class: 'key-row' }, input, copy, hide));
      shown.hidden = false;
      input.focus();
      input.select();
      nameIn.value = '';
      await load();
      return t('keys.created', { prefix: k.prefix });
    });
  });

  async function load() {
    let r;
    try {
      r = await get('/api/v1/keys');
    } catch (e) {
      clear(list).append(errorBox(e, load));
      return;
    }
    const keys = r.keys || [];
    clear(list);
    if (!keys.length) {
      list.append(h('p', { class: 'hint' }, t('keys.none')));
      return;
    }
    list.append(
      h(
        'table',
        { class: 'data keys-table' },
        h('thead', null, h('tr', null, ['keys.col.name', 'keys.col.prefix', 'keys.col.access', 'keys.col.created', 'keys.col.state', 'keys.col.action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          null,
          keys.map((k) => {
            const rev = h('button', { type: 'button', class: 'btn small danger', disabled: k.revoked, 'aria-label': t('keys.revoke_named', { name: k.name }) }, t('keys.revoke'));
            rev.addEventListener('click', async () => {
              if (!(await confirmDialog(t('keys.revoke_confirm', { name: k.name }), t('keys.revoke')))) return;
              await act(rev, t('keys.revoking', { name: k.name }), async () => {
                await del(`/api/v1/keys/${k.id}`);
                await load();
                return t('keys.revoked');
              });
            });
            return h(
              'tr',
              { 'data-key-id': k.id, 'data-revoked': k.revoked ? 'true' : 'false' },
              h('td', null, k.name),
              h('td', null, h('code', null, k.prefix + '…')),
              h('td', null, k.read_only ? t('keys.ro') : t('keys.rw')),
              h('td', null, fmtDateTime(k.created_at)),
              h('td', null, k.revoked ? badge(t('keys.state_revoked'), 'danger') : badge(t('keys.state_active'), 'ok')),
              h('td', null, k.revoked ? '' : rev),
            );
          }),
        ),
      ),
    );
  }
  load();
  const c = card(t('keys.title'), h('p', { class: 'hint' }, t('keys.lead')), form, shown, list);
  c.classList.add('wide');
  return c;
}

function botsCard(ctx) {
  const loginIn = h('input', { type: 'text', maxlength: 25, pattern: '[A-Za-z0-9_]{1,25}', placeholder: 'nightbot', autocomplete: 'off' });
  const kindSel = h('select', null, ['service', 'lurker'].map((k) => h('option', { value: k }, t('bots.kind.' + k))));
  const addBtn = h('button', { type: 'submit', class: 'btn primary' }, t('bots.add'));
  const fileIn = h('input', { type: 'file', accept: '.csv,text/csv,text/plain' });
  const importBtn = h('button', { type: 'button', class: 'btn' }, t('bots.import'));
  const list = h('div', { class: 'table-wrap' }, loading());
  const addForm = h('form', { class: 'toolbar', novalidate: true }, field(t('bots.login'), loginIn), field(t('bots.kind'), kindSel), addBtn);
  addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const login = loginIn.value.trim().toLowerCase();
    if (!/^[a-z0-9_]{1,25}$/.test(login)) {
      loginIn.setAttribute('aria-invalid', 'true');
      loginIn.focus();
      return;
    }
    loginIn.removeAttribute('aria-invalid');
    act(addBtn, t('bots.adding', { login }), async () => {
      await post('/api/v1/bots', { login, kind: kindSel.value });
      loginIn.value = '';
      ctx.bots = null;
      await load();
      return t('bots.added', { login });
    });
  });
  importBtn.addEventListener('click', () => {
    const f = fileIn.files && fileIn.files[0];
    if (!f) {
      fileIn.focus();
      return;
    }
    act(importBtn, t('bots.importing', { name: f.name }), async () => {
      const text = await f.text();
      const r = await post('/api/v1/bots/import', text, { contentType: 'text/csv' });
      ctx.bots = null;
      await load();
      const n = r && (r.imported ?? r.added ?? r.count);
      return n !== undefined ? t('bots.imported', { n: fmtInt(n) }) : '';
    });
  });

  async function load() {
    let r;
    try {
      r = await get('/api/v1/bots');
    } catch (e) {
      clear(list).append(errorBox(e, load));
      return;
    }
    const bots = Array.isArray(r) ? r : r.bots || [];
    clear(list);
    if (!bots.length) {
      list.append(h('p', { class: 'hint' }, t('bots.none')));
      return;
    }
    list.append(
      h(
        'table',
        { class: 'data bots-table' },
        h('caption', null, t('bots.count', { n: fmtInt(bots.length) })),
        h('thead', null, h('tr', null, ['bots.col.login', 'bots.col.kind', 'bots.col.action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          null,
          bots.map((b) => {
            const rm = h('button', { type: 'button', class: 'btn small', 'aria-label': t('bots.remove_named', { login: b.login }) }, t('bots.remove'));
            rm.addEventListener('click', () =>
              act(rm, t('bots.removing', { login: b.login }), async () => {
                await del(`/api/v1/bots/${encodeURIComponent(b.login)}`);
                ctx.bots = null;
                await load();
                return t('bots.removed', { login: b.login });
              }),
            );
            return h('tr', { 'data-login': b.login }, h('td', null, b.login), h('td', null, t('bots.kind.' + b.kind)), h('td', null, rm));
          }),
        ),
      ),
    );
  }
  load();
  const fileField = field(t('bots.file'), fileIn, t('bots.file_hint'));
  return card(t('bots.title'), h('p', { class: 'hint' }, t('bots.lead')), addForm, h('div', { class: 'toolbar' }, fileField, importBtn), list);
}

function intervalCard() {
  const input = h('input', { type: 'number', min: 5, max: 86400, step: 1, value: defaultInterval() });
  const saveBtn = h('button', { type: 'submit', class: 'btn primary' }, t('interval.save'));
  const form = h('form', { class: 'toolbar', novalidate: true }, field(t('interval.label'), input, t('interval.hint')), saveBtn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(saveBtn, t('interval.saving'), async () => {
      const v = Number(input.value);
      if (!Number.isInteger(v) || v < 5 || v > 86400) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        throw new Error(t('channels.bad_interval'));
      }
      input.removeAttribute('aria-invalid');
      localStorage.setItem(INTERVAL_KEY, String(v));
      return t('interval.saved', { n: v });
    });
  });
  return card(t('interval.title'), form);
}

export async function render(main, args, ctx) {
  pageTitle(main, t('settings.title'));
  main.append(h('div', { class: 'grid' }, keysCard(), botsCard(ctx), webhooksCard(), watchlistCard(), intervalCard()));
}
