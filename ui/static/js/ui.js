// Small DOM helpers shared by the views: element building (text nodes only, never HTML strings),
// the activity panel that shows every action's progress and outcome, the confirmation
// dialog, error boxes, and busy buttons.
import { t } from './i18n.js';

/**
 * h('button', {class: 'x', onclick: f, 'aria-label': '..'}, 'text', child...)
 * Attribute values false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Marks a table.data to stack at phone width: each row becomes a short card and each cell
 * carries its column's name (data-label, shown by the CSS), so no column is cut off.
 */
export function stack(table) {
  const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
  table.classList.add('stack');
  for (const tr of table.querySelectorAll('tbody tr')) [...tr.children].forEach((td, i) => names[i] && td.setAttribute('data-label', names[i]));
  return table;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
export function newId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form control: <label for> + the control, in a .field wrapper. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = newId('f');
  const parts = [h('label', { for: control.id }, labelText), control];
  if (hint) {
    const hid = newId('hint');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('small', { id: hid, class: 'hint' }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

/** The message of an error for the user: the gateway's reason when it gave one. */
export function errorText(err) {
  if (!err) return t('error.unknown');
  if (err.code === 'network') return t('error.network');
  if (err.status === 404 && err.message === 'no such route') return t('error.no_route');
  if (err.status === 429) return t('error.rate_limited', { msg: err.message });
  return err.message || String(err);
}

/** An alert box for a failed load, with a retry button when retry is given. */
export function errorBox(err, retry) {
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('strong', null, t('error.failed')),
    ' ',
    h('span', { class: 'reason' }, errorText(err)),
    retry ? h('button', { type: 'button', class: 'btn small', onclick: retry }, t('action.retry')) : null,
  );
}

export function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text || t('state.loading'));
}

// ---- the activity panel: one line per action, queued -> running -> done / failed ----------

const STATE_CLASS = { queued: 'st-queued', running: 'st-running', done: 'st-done', failed: 'st-failed' };

/**
 * Starts tracking an action; returns {set(state, detail), done(detail), fail(err)}.
 * Lines of finished actions fade after a while; failures stay until dismissed.
 */
export function activity(label) {
  const list = document.getElementById('activity');
  const state = h('span', { class: 'act-state' });
  const detail = h('span', { class: 'act-detail' });
  const close = h('button', { type: 'button', class: 'act-close', 'aria-label': t('action.dismiss'), hidden: true }, '×');
  const line = h('li', { class: 'act' }, h('span', { class: 'act-label' }, label), ' ', state, ' ', detail, close);
  close.addEventListener('click', () => line.remove());
  list.prepend(line);
  while (list.children.length > 8) list.lastChild.remove();
  const set = (s, d) => {
    line.className = 'act ' + (STATE_CLASS[s] || '');
    line.dataset.state = s;
    state.textContent = t('job.' + s);
    detail.textContent = d ? String(d) : '';
    if (s === 'done') setTimeout(() => line.remove(), 8000);
    if (s === 'failed') close.hidden = false;
  };
  set('running');
  return {
    get settled() {
      return line.dataset.state === 'done' || line.dataset.state === 'failed';
    },
    set,
    done: (d) => set('done', d),
    fail: (err) => set('failed', errorText(err)),
  };
}

/**
 * Runs fn with button busy (disabled, aria-busy) and an activity line labelled label;
 * returns fn's result, or undefined when it failed (the failure is shown).
 */
export async function act(button, label, fn) {
  const a = activity(label);
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    const out = await fn(a);
    if (!a.settled) a.done(typeof out === 'string' ? out : '');
    return out;
  } catch (e) {
    a.fail(e);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

// ---- confirmation dialog --------------------------------------------------------------

/** Asks a yes/no question in a modal <dialog>; resolves true when confirmed. */
export function confirmDialog(message, confirmLabel, { danger = true, extra = null } = {}) {
  return new Promise((resolve) => {
    const dlg = document.getElementById('confirm');
    const msg = dlg.querySelector('.confirm-message');
    const ok = dlg.querySelector('.confirm-ok');
    const cancel = dlg.querySelector('.confirm-cancel');
    msg.textContent = message;
    // extra: a control shown under the message (a choice the caller reads after the answer)
    if (extra) msg.after(extra);
    ok.textContent = confirmLabel || t('action.confirm');
    ok.className = 'btn confirm-ok ' + (danger ? 'danger' : 'primary');
    cancel.textContent = t('action.cancel');
    const opener = document.activeElement;
    const done = (v) => {
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      dlg.removeEventListener('close', onClose);
      if (dlg.open) dlg.close();
      if (extra) extra.remove();
      if (opener && opener.focus) opener.focus();
      resolve(v);
    };
    const onOk = () => done(true);
    const onCancel = () => done(false);
    const onClose = () => done(false);
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dlg.addEventListener('close', onClose);
    dlg.showModal();
    cancel.focus();
  });
}

/** A card section with a heading (h2) and content. */
export function card(title, ...content) {
  const id = newId('card');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

/** Badge for a level / state. */
export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind || '') }, text);
}

/** Sets the document title and moves focus to the main heading for screen readers. */
export function pageTitle(main, text) {
  document.title = `${text} · tca`;
  const h1 = h('h1', { tabindex: '-1', class: 'page-title' }, text);
  main.append(h1);
  return h1;
}
