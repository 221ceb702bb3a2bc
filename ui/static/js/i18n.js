// UI text in English and French: t(key, vars) looks the key up in the current language
// (English when a French text is missing), with {name} placeholders. The language comes
// from the user's choice (kept in localStorage), else from the browser's languages.
import en from './i18n/en.js';
import fr from './i18n/fr.js';

const tables = { en, fr };
export const languages = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
];
const STORE_KEY = 'tca.lang';

function detect() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved && tables[saved]) return saved;
  } catch {
    /* storage refused: fall back to the browser */
  }
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (tables[base]) return base;
  }
  return 'en';
}

let lang = detect();
let numberFmt = new Intl.NumberFormat(lang);

export function currentLang() {
  return lang;
}

export function setLang(code) {
  if (!tables[code]) return;
  lang = code;
  numberFmt = new Intl.NumberFormat(lang);
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* the choice lasts for this page only */
  }
  document.documentElement.lang = code;
  window.dispatchEvent(new CustomEvent('tca:lang', { detail: code }));
}

export function t(key, vars) {
  let s = tables[lang][key];
  if (s === undefined) s = en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

/** True when key has a text (used for optional texts such as error codes). */
export function has(key) {
  return en[key] !== undefined;
}

/** Fills [data-i18n] (text), [data-i18n-label] (aria-label) and [data-i18n-title] under root. */
export function applyStatic(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
  root.querySelectorAll('[data-i18n-label]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => {
    el.title = t(el.dataset.i18nTitle);
  });
}

export function fmtInt(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : numberFmt.format(Math.round(n));
}

export function fmtNum(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}

export function fmtPct(x, digits = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: digits }).format(x);
}

/** A duration in ms as "2 h 05 min", "4 min 10 s" or "12 s". */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return t('unit.s', { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('unit.min_s', { m, s: String(s % 60).padStart(2, '0') });
  const hh = Math.floor(m / 60);
  return t('unit.h_min', { h: hh, m: String(m % 60).padStart(2, '0') });
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(lang, { timeZone: iso.length === 10 ? 'UTC' : undefined });
}

/** An account age in days as years and months in the chosen language ("7 years, 8 months"). */
export function fmtAge(days) {
  if (days === null || days === undefined) return '—';
  const months = Math.floor(days / 30.4375);
  const y = Math.floor(months / 12);
  const m = months % 12;
  const unit = (n, u) => new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'long' }).format(n);
  if (!months) return unit(days, 'day');
  const parts = [y ? unit(y, 'year') : null, m || !y ? unit(m, 'month') : null].filter(Boolean);
  return new Intl.ListFormat(lang, { style: 'long', type: 'unit' }).format(parts);
}

/** A month and year, for date axes ("Jan 2024", "janv. 2024"). */
export function fmtMonth(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleDateString(lang, { year: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** Hours and minutes (and seconds when asked), for time axes. */
export function fmtClock(iso, seconds = false) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined });
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(lang, { dateStyle: 'short', timeStyle: 'medium' });
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(lang);
}
