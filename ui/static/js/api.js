// The gateway's JSON API as the UI uses it: same-origin fetch with the login cookie, the
// X-CSRF-Token header on every state-changing request, and one error type carrying the
// gateway's {"error", "message"} so every view can show the reason. A 401 tells the app
// (event "tca:auth-lost") so it can show the login or "login expired" page.

let csrf = null;

export function setCsrf(token) {
  csrf = token || null;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_' + status;
  }
}

async function errorFrom(resp) {
  let code = null;
  let message = null;
  try {
    const j = await resp.json();
    code = j.error;
    message = j.message;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(resp.status, code, message || `${resp.status} ${resp.statusText}`);
}

function authLost(err) {
  window.dispatchEvent(new CustomEvent('tca:auth-lost', { detail: err }));
}

/**
 * Sends a request. body: an object (sent as JSON), a string with opts.contentType, or none.
 * Returns the parsed JSON (or the Response itself with opts.raw). Throws ApiError; a network
 * failure becomes ApiError(0, "network").
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body !== undefined && body !== null) {
    if (typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'text/plain';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  if (!resp.ok) {
    const err = await errorFrom(resp);
    if (resp.status === 401 && !opts.quiet401) authLost(err);
    throw err;
  }
  if (opts.raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/** A query string from an object; arrays repeat the name; null/undefined/'' are left out. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else if (v !== undefined && v !== null && v !== '' && v !== false) u.append(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

/** Polls a capture job until it is done or failed; onState(state, job) at every change. */
export async function followJob(jobId, onState, { every = 400, timeoutMs = 120000 } = {}) {
  const start = Date.now();
  let last = null;
  for (;;) {
    const job = await get(`/api/v1/jobs/${jobId}`);
    if (job.state !== last) {
      last = job.state;
      onState(job.state, job);
    }
    if (job.state === 'done' || job.state === 'failed') return job;
    if (Date.now() - start > timeoutMs) throw new ApiError(0, 'timeout', 'the job is still ' + job.state);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The file name of a Content-Disposition header, or fallback. */
export function dispositionName(header, fallback) {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const m = /filename="?([^";]+)"?/i.exec(header);
  return m ? m[1] : fallback;
}
