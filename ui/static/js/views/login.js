// The pages shown without a login: "Log in with Twitch", the explanation of a failed login
// (the gateway redirects a browser to #/login-failed/CODE), and "your login was lost"
// when Twitch revoked the token or the login session expired.
import { has, t } from '../i18n.js';
import { h } from '../ui.js';

function loginButton(label) {
  return h('a', { class: 'btn primary big twitch', href: '/auth/login', id: 'login-twitch' }, label || t('login.button'));
}

export function renderLogin(main) {
  document.title = 'tca';
  main.append(
    h(
      'section',
      { class: 'login-card', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title', class: 'page-title', tabindex: '-1' }, t('login.title')),
      h('p', { class: 'lead' }, t('login.lead')),
      loginButton(),
      h('p', { class: 'hint' }, t('login.scopes')),
    ),
  );
}

export function renderFailed(main, code) {
  document.title = `${t('login.failed_title')} · tca`;
  const key = 'login.fail.' + code;
  main.append(
    h(
      'section',
      { class: 'login-card failed', 'aria-labelledby': 'login-title', 'data-testid': 'login-failed' },
      h('h1', { id: 'login-title', class: 'page-title', tabindex: '-1' }, t('login.failed_title')),
      h('p', { class: 'lead', role: 'alert' }, has(key) ? t(key) : t('login.fail.unknown')),
      h('p', { class: 'hint' }, t('login.failed_code', { code })),
      loginButton(t('login.retry')),
    ),
  );
}

export function renderExpired(main, err) {
  document.title = `${t('login.expired_title')} · tca`;
  const code = (err && err.code) || 'unauthenticated';
  const key = 'login.lost.' + code;
  main.append(
    h(
      'section',
      { class: 'login-card failed', 'aria-labelledby': 'login-title', 'data-testid': 'login-expired' },
      h('h1', { id: 'login-title', class: 'page-title', tabindex: '-1' }, t('login.expired_title')),
      h('p', { class: 'lead', role: 'alert' }, has(key) ? t(key) : t('login.lost.unauthenticated')),
      loginButton(t('login.again')),
    ),
  );
}
