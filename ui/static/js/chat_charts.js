// The chat panel's two charts on uPlot, one pair per channel, on the same time axis with their
// cursors linked: messages (bars) and talkers per minute beside the channel's audience
// (chatters at each capture, right axis), and the sentiment per minute (the mean score as a
// line, positive messages as bars above zero and negative ones below). The data comes from
// chatChartData() in views/dashboard_chat.js; this file never fetches anything.
import { axes, cssVar, legendValue, width } from './charts.js';
import { fmtClock, fmtInt, fmtNum, fmtTime, t } from './i18n.js';

const ACT_H = 200;
const SENT_H = 170;
let syncs = 0;

/** x ticks in the chosen language (with seconds when they are less than a minute apart). */
function timeAxis(a) {
  a.space = 90; // room for "08:05:30 PM" between two ticks
  a.values = (u, vals) => vals.map((v, i, all) => fmtClock(new Date(v * 1000).toISOString(), all.length > 1 && all[1] - all[0] < 60));
  return a;
}

/**
 * A y scale symmetric around zero, so the two sentiment axes share their zero line; whole
 * numbers for the score (a message's score is a sum of word valences, so it may pass ±5).
 */
function symmetric(whole) {
  return (u, min, max) => {
    const m = Math.max(Math.abs(min || 0), Math.abs(max || 0));
    const r = whole ? Math.max(1, Math.ceil(m)) : Math.max(1, m * 1.15);
    return [-r, r];
  };
}

/** The x range with half a minute on both sides, so the bars of the first and last minutes show whole. */
function halfMinute(u, min, max) {
  return [min - 30, max + 30];
}

function xSeries() {
  return { label: t('chart.time'), value: legendValue((v) => fmtTime(new Date(v * 1000).toISOString())) };
}

function activityOpts(el, cursor) {
  const bars = uPlot.paths && uPlot.paths.bars;
  const [x, left] = axes(t('chat.per_minute'));
  const right = { ...left, scale: 'c', side: 1, label: t('chart.chatters'), grid: { show: false } };
  return {
    width: width(el),
    height: ACT_H,
    cursor,
    legend: { show: true },
    scales: { x: { time: true, range: halfMinute }, m: { range: (u, min, max) => [0, Math.max(1, max) * 1.15] }, c: { range: (u, min, max) => [0, Math.max(1, max) * 1.15] } },
    axes: [timeAxis(x), { ...left, scale: 'm' }, right],
    series: [
      xSeries(),
      { label: t('chat.per_minute'), scale: 'm', stroke: cssVar('--c1'), fill: cssVar('--c1-fill'), paths: bars ? bars({ size: [0.6, 40] }) : undefined, value: legendValue((v) => fmtInt(v)) },
      { label: t('chat.talkers_minute'), scale: 'm', stroke: cssVar('--c4'), width: 1, spanGaps: true, value: legendValue((v) => fmtInt(v)) },
      { label: t('chart.chatters'), scale: 'c', stroke: cssVar('--c3'), width: 2.5, spanGaps: true, value: legendValue((v) => fmtInt(v)) },
    ],
  };
}

function sentimentOpts(el, cursor) {
  const bars = uPlot.paths && uPlot.paths.bars;
  const [x, left] = axes(t('chat.score_axis'));
  left.values = (u, vals) => vals.map((v) => fmtNum(v));
  const right = { ...axes(t('chat.count_axis'))[1], scale: 'n', side: 1, grid: { show: false } };
  right.values = (u, vals) => vals.map((v) => (v < 0 ? '−' + fmtInt(-v) : fmtInt(v)));
  return {
    width: width(el),
    height: SENT_H,
    cursor,
    legend: { show: true },
    scales: { x: { time: true, range: halfMinute }, s: { range: symmetric(true) }, n: { range: symmetric(false) } },
    axes: [timeAxis(x), { ...left, scale: 's' }, right],
    series: [
      xSeries(),
      { label: t('chat.positive'), scale: 'n', stroke: cssVar('--ok'), fill: cssVar('--ok-fill'), paths: bars ? bars({ size: [0.6, 30] }) : undefined, value: legendValue((v) => fmtInt(v)) },
      { label: t('chat.negative'), scale: 'n', stroke: cssVar('--danger'), fill: cssVar('--danger-fill'), paths: bars ? bars({ size: [0.6, 30] }) : undefined, value: legendValue((v) => fmtInt(-v)) },
      // a minute with nothing scored is a gap (null), not a zero
      { label: t('chat.mean'), scale: 's', stroke: cssVar('--c2'), width: 2.5, spanGaps: false, points: { show: true, size: 5 }, value: legendValue((v) => (v === null ? '—' : fmtNum(v, 2))) },
    ],
  };
}

const activityData = (d) => [d.x, d.messages, d.talkers, d.chatters];
const sentimentData = (d) => [d.x, d.positive, d.negative, d.mean];

/**
 * Draws the activity chart in actEl and, when d.sentiment, the sentiment chart in sentEl.
 * Returns {update(d), destroy()}; sentEl is hidden while the data has no sentiment.
 */
export function chatCharts(actEl, sentEl, data) {
  syncs += 1;
  const cursor = { sync: { key: uPlot.sync('tca-chat-' + syncs).key }, focus: { prox: 24 } };
  let act = null;
  let sent = null;
  const build = (d) => {
    act = new uPlot(activityOpts(actEl, cursor), activityData(d), actEl);
    sentEl.hidden = !d.sentiment;
    if (d.sentiment) sent = new uPlot(sentimentOpts(sentEl, cursor), sentimentData(d), sentEl);
  };
  build(data);
  const ro = new ResizeObserver(() => {
    const w = width(actEl);
    if (act && w !== act.width) act.setSize({ width: w, height: ACT_H });
    if (sent && !sentEl.hidden && width(sentEl) !== sent.width) sent.setSize({ width: width(sentEl), height: SENT_H });
  });
  ro.observe(actEl);
  const drop = () => {
    if (act) act.destroy();
    if (sent) sent.destroy();
    act = sent = null;
  };
  let current = data;
  return {
    update(d) {
      // sentiment appearing (or going) changes the set of charts: build them again
      if (!!d.sentiment !== !!current.sentiment) {
        drop();
        build(d);
      } else {
        act.setData(activityData(d));
        if (sent) sent.setData(sentimentData(d));
      }
      current = d;
    },
    destroy() {
      ro.disconnect();
      drop();
    },
  };
}
