// Server-Sent Events read through fetch(), for pages that must authenticate with a header:
// EventSource cannot send Authorization, so the OBS dock (API key) streams the response body
// itself. parseEvents is the text/event-stream grammar (WHATWG HTML, "Parsing an event
// stream"); openStream runs one connection. Never puts a credential in a URL and never
// retries by itself: the caller owns reconnects, their backoff and the polling fallback.

/**
 * A parser of a text/event-stream body. Returns push(text): feed it decoded chunks as they
 * arrive, cut anywhere; it calls onEvent({event, data, id}) once per complete event,
 * onComment(text) per comment line (the gateway's keep-alives), onRetry(ms) per retry field.
 */
export function parseEvents({ onEvent, onComment = () => {}, onRetry = () => {} }) {
  let buf = '';
  let event = '';
  let data = [];
  let id = '';
  let first = true;
  const line = (l) => {
    if (l === '') {
      if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), id });
      event = '';
      data = [];
      return;
    }
    if (l.startsWith(':')) return onComment(l.slice(1).trim());
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  };
  return (text) => {
    buf += text;
    if (first && buf.length) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      first = false;
    }
    // a line ends at CRLF, LF or CR; a CR at the very end may be half of a CRLF: wait for more
    for (;;) {
      const m = /\r\n|\n|\r/.exec(buf);
      if (!m || (m[0] === '\r' && m.index === buf.length - 1)) break;
      line(buf.slice(0, m.index));
      buf = buf.slice(m.index + m[0].length);
    }
  };
}

/**
 * Opens url with fetch (headers such as Authorization, an AbortSignal) and reads its events
 * until the stream ends. Resolves when the server closes the stream; rejects with an Error
 * whose status is the HTTP status when the answer is not a 200 event stream, and with the
 * network error when the connection drops. onOpen() runs once the 200 arrives.
 */
export async function openStream(url, { headers = {}, signal, onOpen = () => {}, ...handlers }) {
  const r = await fetch(url, {
    headers: { ...headers, Accept: 'text/event-stream' },
    credentials: 'omit',
    cache: 'no-store',
    signal,
  });
  if (!r.ok || !(r.headers.get('content-type') || '').startsWith('text/event-stream') || !r.body) {
    const e = new Error(`event stream: ${r.status}`);
    e.status = r.status;
    e.retryAfter = Number(r.headers.get('retry-after')) || 0;
    throw e;
  }
  onOpen();
  const push = parseEvents(handlers);
  const reader = r.body.getReader();
  const decoder = new TextDecoder('utf-8');
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    push(decoder.decode(value, { stream: true }));
  }
  push(decoder.decode());
}
