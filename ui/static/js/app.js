// The dashboard's entry point: who is logged in (GET /api/v1/me gives the CSRF token), the
// hash router (#/channels, #/dashboard/ID, #/chatter/ID ...), the navigation, the language
// switch, logout, and the pages shown when not logged in or when the login was lost.
import { get, post, setCsrf } from './api.js';
import { applyStatic, currentLang, languages, setLang, t } from './i18n.js';
import { clear, errorBox, h, loading } from './ui.js';
import * as channels from './views/channels.js';
import * as dashboard from './views/dashboard.js';
import * as chatters from './views/chatters.js';
import * as profile from './views/profile.js';
import * as overlap from './views/overlap.js';
import * as sessions from './views/sessions.js';
import * as exportsView from './views/exports.js';
import * as settings from './views/settings.js';
import * as login from './views/login.js';

const views = {
  channels,
  dashboard,
  chatters,
  chatter: profile,
  overlap,
  sessions,
  exports: exportsView,
  settings,
};

/** Shared by the views: who is logged in and which analysis session is being looked at. */
export const ctx = {
  me: null,
  sessionId: null, // a session id chosen on the sessions page; null: the active session
  bots: null, // known-bots cache (Set of logins), loaded on demand
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  /** The session a route means: its own id, else the chosen one, else "active". */
  session(arg) {
    if (arg && /^\d+$/.test(arg)) return arg;
    return ctx.sessionId || 'active';
  },
};

const main = document.getElementById('main');
let cleanup = null;
let authLost = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1), query: new URLSearchParams(query || '') };
}

function markNav(name) {
  document.querySelectorAll('#nav a[data-route]').forEach((a) => {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a view's cleanup must not block the next view */
    }
    cleanup = null;
  }
  const { name, args, query } = parseHash();
  document.body.classList.remove('nav-open');
  document.getElementById('nav-toggle').setAttribute('aria-expanded', 'false');
  clear(main);
  if (name === 'login-failed') {
    markNav('');
    login.renderFailed(main, args[0] || 'unknown');
    return;
  }
  if (authLost) {
    markNav('');
    login.renderExpired(main, authLost);
    return;
  }
  if (!ctx.me) {
    markNav('');
    login.renderLogin(main);
    return;
  }
  const view = views[name];
  if (!view) {
    ctx.navigate('#/channels');
    return;
  }
  markNav(name === 'chatter' ? 'chatters' : name);
  try {
    const c = await view.render(main, args, ctx, query);
    if (typeof c === 'function') cleanup = c;
  } catch (e) {
    main.append(errorBox(e, () => route()));
  }
  const title = main.querySelector('.page-title');
  if (title && document.activeElement !== title && !main.contains(document.activeElement)) title.focus({ preventScroll: true });
}

function fillLanguages() {
  const sel = document.getElementById('lang');
  clear(sel);
  for (const l of languages) sel.append(h('option', { value: l.code, selected: l.code === currentLang() }, l.name));
  sel.setAttribute('aria-label', t('nav.language'));
}

function showChrome() {
  const authed = !!ctx.me && !authLost;
  document.body.classList.toggle('authed', authed);
  document.getElementById('nav').hidden = !authed;
  document.getElementById('nav-toggle').hidden = !authed;
  document.getElementById('logout').hidden = !authed;
  const who = document.getElementById('who');
  who.hidden = !authed;
  who.textContent = authed ? ctx.me.display_name || ctx.me.login : '';
}

async function boot() {
  document.documentElement.lang = currentLang();
  applyStatic();
  fillLanguages();
  document.getElementById('lang').addEventListener('change', (e) => setLang(e.target.value));
  window.addEventListener('tca:lang', () => {
    applyStatic();
    fillLanguages();
    route();
  });
  document.getElementById('nav-toggle').addEventListener('click', (e) => {
    const open = !document.body.classList.contains('nav-open');
    document.body.classList.toggle('nav-open', open);
    e.currentTarget.setAttribute('aria-expanded', String(open));
  });
  document.getElementById('logout').addEventListener('click', async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      await post('/auth/logout');
    } catch {
      /* logged out on our side anyway */
    }
    ctx.me = null;
    setCsrf(null);
    showChrome();
    btn.disabled = false;
    ctx.navigate('#/');
  });
  window.addEventListener('tca:auth-lost', (e) => {
    if (!ctx.me) return; // not logged in yet: the login page is already the answer
    authLost = e.detail;
    ctx.me = null;
    setCsrf(null);
    showChrome();
    route();
  });
  window.addEventListener('hashchange', route);
  // the skip link must not change the hash (the router owns it): it only moves focus
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });

  clear(main).append(loading());
  try {
    ctx.me = await get('/api/v1/me', { quiet401: true });
    setCsrf(ctx.me.csrf_token);
  } catch (e) {
    ctx.me = null;
    if (e.status !== 401) {
      clear(main).append(errorBox(e, () => location.reload()));
      return;
    }
  }
  showChrome();
  if (ctx.me && !location.hash.replace(/^#\/?/, '')) location.replace('#/channels');
  else route();
}

boot();
