// Exports: every export of the analysis one click away (chatters, timeline, one capture,
// flagged accounts, overlap; CSV or JSON; all channels or one). The file is fetched with
// progress shown and saved under the gateway's name (tca-<channel>-<what>-<date>.<ext>).
import { api, dispositionName, get, qs } from '../api.js';
import { fmtInt, t } from '../i18n.js';
import { act, card, clear, errorBox, field, h, loading, newId, pageTitle } from '../ui.js';

const KINDS = ['chatters', 'timeline', 'capture', 'flagged', 'overlap'];

/** Fetches url and hands it to the browser as a download; reports bytes through a. */
export async function download(url, fallbackName, a) {
  const resp = await api('GET', url, undefined, { raw: true });
  const name = dispositionName(resp.headers.get('Content-Disposition'), fallbackName);
  const total = Number(resp.headers.get('Content-Length')) || 0;
  const reader = resp.body.getReader();
  const chunks = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    a.set('running', total ? t('exports.progress_of', { n: fmtInt(got), total: fmtInt(total) }) : t('exports.progress', { n: fmtInt(got) }));
  }
  const blob = new Blob(chunks, { type: resp.headers.get('Content-Type') || 'application/octet-stream' });
  const href = URL.createObjectURL(blob);
  const link = h('a', { href, download: name, class: 'visually-hidden' }, name);
  document.body.append(link);
  link.click();
  setTimeout(() => {
    URL.revokeObjectURL(href);
    link.remove();
  }, 10000);
  return t('exports.saved', { name, n: fmtInt(got) });
}

export async function render(main, args, ctx) {
  const sid = ctx.session(args[0]);
  pageTitle(main, t('exports.title'));
  const status = h('div', { class: 'view-status' }, loading());
  main.append(h('p', { class: 'lead' }, t('exports.lead')), status);
  let summary;
  try {
    summary = await get(`/api/v1/sessions/${sid}`);
  } catch (e) {
    clear(status).append(errorBox(e, () => ctx.navigate(location.hash)));
    return;
  }
  clear(status);
  const sessionId = summary.id;
  const chans = summary.channels || [];
  const chanSel = h('select', { id: newId('chan') }, h('option', { value: '' }, t('dash.all_channels')), chans.map((c) => h('option', { value: c.login }, c.login)));
  const capChan = h('select', { id: newId('capchan') }, chans.map((c) => h('option', { value: c.login }, c.login)));
  const capSeq = h('input', { type: 'number', min: 1, step: 1, id: newId('seq') });
  const setSeqDefault = () => {
    const c = chans.find((x) => x.login === capChan.value);
    const last = c && c.last_capture ? c.last_capture.seq : 1;
    capSeq.max = last;
    capSeq.value = last;
  };
  capChan.addEventListener('change', setSeqDefault);
  setSeqDefault();

  main.append(
    h(
      'div',
      { class: 'toolbar' },
      h('p', null, t('exports.session', { label: summary.label || t('sessions.unnamed', { id: sessionId }) })),
      field(t('dash.channel'), chanSel, t('exports.channel_hint')),
    ),
  );

  const grid = h('div', { class: 'grid exports' });
  for (const kind of KINDS) {
    const extra = [];
    if (kind === 'capture') {
      extra.push(h('div', { class: 'toolbar' }, field(t('exports.capture_channel'), capChan), field(t('exports.capture_seq'), capSeq)));
      if (!chans.length) extra.push(h('p', { class: 'hint' }, t('exports.no_channels')));
    }
    const buttons = ['csv', 'json'].map((format) => {
      const b = h('button', { type: 'button', class: 'btn' + (format === 'csv' ? ' primary' : ''), 'data-export': kind, 'data-format': format }, t('exports.download', { fmt: format.toUpperCase() }));
      b.addEventListener('click', () => {
        const params = { what: kind, format };
        if (kind === 'capture') {
          params.channel = capChan.value;
          params.capture = capSeq.value;
        } else if (chanSel.value) params.channel = chanSel.value;
        // an empty or out-of-range capture number is refused here, in words, not by the API
        if (kind === 'capture') {
          const n = Number(capSeq.value);
          const max = Number(capSeq.max) || 1;
          const bad = capSeq.value.trim() === '' || !Number.isInteger(n) || n < 1 || n > max;
          if (bad) capSeq.setAttribute('aria-invalid', 'true');
          else capSeq.removeAttribute('aria-invalid');
          if (bad)
            return act(b, t('exports.running', { what: t('exports.kind.' + kind), fmt: format.toUpperCase() }), () => {
              capSeq.focus();
              throw new Error(t('exports.bad_seq', { max: fmtInt(max) }));
            });
        }
        const url = `/api/v1/sessions/${sessionId}/export` + qs(params);
        const who = params.channel || `session-${sessionId}`;
        const fallback = `tca-${who}-${kind}-${new Date().toISOString().slice(0, 10)}.${format}`;
        return act(b, t('exports.running', { what: t('exports.kind.' + kind), fmt: format.toUpperCase() }), (a) => download(url, fallback, a));
      });
      if (kind === 'capture' && !chans.length) b.disabled = true;
      return b;
    });
    grid.append(card(t('exports.kind.' + kind), h('p', { class: 'hint' }, t('exports.desc.' + kind)), ...extra, h('div', { class: 'actions' }, buttons)));
  }
  main.append(grid);
}
