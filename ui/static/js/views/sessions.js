// Sessions: the active session and the saved ones; save with a label (the saved-session
// limit is shown before it is reached), relabel, open, purge and delete (both confirmed),
// and start a new active session.
import { del, get, post, put } from '../api.js';
import { fmtDateTime, fmtInt, t } from '../i18n.js';
import { act, badge, card, clear, confirmDialog, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

export async function render(main, args, ctx) {
  pageTitle(main, t('sessions.title'));
  const limitBox = h('div', { class: 'limit', role: 'status' });
  const newBtn = h('button', { type: 'button', class: 'btn' }, t('sessions.new'));
  const list = h('div', { class: 'session-list' });
  const status = h('div', { class: 'view-status' }, loading());
  main.append(h('p', { class: 'lead' }, t('sessions.lead')), h('div', { class: 'toolbar' }, newBtn), limitBox, status, list);

  let data = null;

  // A new session ends the active one; its periodic captures carry over unless unticked.
  newBtn.addEventListener('click', async () => {
    let periodic = [];
    try {
      const cur = await get('/api/v1/sessions/active');
      periodic = (cur.channels || []).filter((c) => c.periodic);
    } catch {
      /* no active session: nothing to carry */
    }
    const box = h('input', { type: 'checkbox', id: newId('carry'), checked: true });
    const extra = periodic.length
      ? h(
          'div',
          { class: 'field check carry' },
          box,
          h('label', { for: box.id }, t('sessions.carry', { n: periodic.length, list: periodic.map((c) => t('sessions.carry_one', { login: c.login, n: c.interval_s })).join(', ') })),
        )
      : null;
    const msg = periodic.length ? t('sessions.new_confirm') : t('sessions.new_confirm') + ' ' + t('sessions.no_periodic');
    if (!(await confirmDialog(msg, t('sessions.new'), { danger: false, extra }))) return;
    const carry = periodic.length > 0 && box.checked;
    await act(newBtn, t('sessions.new'), async () => {
      const s = await post('/api/v1/sessions', { carry_schedules: carry });
      ctx.sessionId = null;
      await load();
      return carry ? t('sessions.started_carried', { id: s.id, n: s.carried_schedules }) : t('sessions.started', { id: s.id });
    });
  });

  function drawLimit() {
    const { saved, max_saved: max } = data;
    clear(limitBox);
    limitBox.className = 'limit' + (saved >= max ? ' full' : saved >= max - 1 ? ' near' : '');
    const meter = h('meter', { min: 0, max, value: saved, low: Math.max(0, max - 2), high: max - 1, optimum: 0, id: newId('meter') });
    limitBox.append(h('label', { for: meter.id }, t('sessions.limit', { n: saved, max })), meter);
    if (saved >= max) limitBox.append(h('p', { class: 'warn-text' }, t('sessions.limit_full', { max })));
    else if (saved >= max - 1) limitBox.append(h('p', { class: 'warn-text' }, t('sessions.limit_near', { left: max - saved })));
  }

  function sessionCard(s) {
    const name = s.label || t('sessions.unnamed', { id: s.id });
    const labelIn = h('input', { type: 'text', maxlength: 100, value: s.label || '', placeholder: t('sessions.label_ph') });
    const saveBtn = h('button', { type: 'button', class: 'btn primary' }, s.saved ? t('sessions.relabel') : t('sessions.save'));
    const openBtn = h('a', { class: 'btn', href: `#/dashboard/${s.id}` }, t('sessions.open'));
    const purgeBtn = h('button', { type: 'button', class: 'btn' }, t('sessions.purge'));
    const delBtn = h('button', { type: 'button', class: 'btn danger' }, t('sessions.delete'));
    const full = !s.saved && data.saved >= data.max_saved;
    if (full) {
      saveBtn.disabled = true;
      saveBtn.title = t('sessions.limit_full', { max: data.max_saved });
    }
    openBtn.addEventListener('click', () => {
      ctx.sessionId = s.active ? null : String(s.id);
    });
    saveBtn.addEventListener('click', () =>
      act(saveBtn, t(s.saved ? 'sessions.relabeling' : 'sessions.saving', { name }), async () => {
        const body = { label: labelIn.value.trim() };
        if (s.saved) await put(`/api/v1/sessions/${s.id}/label`, body);
        else await post(`/api/v1/sessions/${s.id}/save`, body);
        await load();
        return t('sessions.saved_ok');
      }),
    );
    purgeBtn.addEventListener('click', async () => {
      if (!(await confirmDialog(t('sessions.purge_confirm', { name, n: fmtInt(s.captures) }), t('sessions.purge')))) return;
      await act(purgeBtn, t('sessions.purging', { name }), async () => {
        await post(`/api/v1/sessions/${s.id}/purge`);
        await load();
        return t('sessions.purged');
      });
    });
    delBtn.addEventListener('click', async () => {
      if (!(await confirmDialog(t('sessions.delete_confirm', { name, n: fmtInt(s.captures) }), t('sessions.delete')))) return;
      await act(delBtn, t('sessions.deleting', { name }), async () => {
        await del(`/api/v1/sessions/${s.id}`);
        if (ctx.sessionId === String(s.id)) ctx.sessionId = null;
        await load();
        return t('sessions.deleted');
      });
    });
    const c = card(
      name,
      h(
        'p',
        { class: 'badges' },
        s.active ? badge(t('sessions.active'), 'ok') : badge(t('sessions.ended', { time: fmtDateTime(s.updated_at) }), ''),
        s.saved ? badge(t('sessions.saved'), 'info') : badge(t('sessions.unsaved'), ''),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('sessions.created')),
        h('dd', null, fmtDateTime(s.created_at)),
        h('dt', null, t('sessions.captures')),
        h('dd', null, fmtInt(s.captures)),
        s.expires_at ? [h('dt', null, t('sessions.expires')), h('dd', null, fmtDateTime(s.expires_at))] : null,
      ),
      h('div', { class: 'save-row' }, field(t('sessions.label'), labelIn), saveBtn),
      h('div', { class: 'actions' }, openBtn, purgeBtn, delBtn),
    );
    c.classList.add('session');
    c.dataset.sessionId = s.id;
    return c;
  }

  async function load() {
    try {
      data = await get('/api/v1/sessions');
    } catch (e) {
      clear(status).append(errorBox(e, load));
      return;
    }
    clear(status);
    drawLimit();
    clear(list);
    const sessions = data.sessions || [];
    if (!sessions.length) list.append(h('p', { class: 'empty' }, t('sessions.none')));
    const active = sessions.filter((s) => s.active);
    const saved = sessions.filter((s) => !s.active && s.saved);
    const other = sessions.filter((s) => !s.active && !s.saved);
    for (const [key, group] of [
      ['sessions.group_active', active],
      ['sessions.group_saved', saved],
      ['sessions.group_other', other],
    ]) {
      if (!group.length) continue;
      list.append(h('h2', { class: 'group' }, t(key)), h('div', { class: 'grid' }, group.map(sessionCard)));
    }
  }
  await load();
}
