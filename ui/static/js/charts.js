// Charts on uPlot (loaded as the global uPlot by index.html): the chatters-over-time chart
// with raid markers (drawn lines plus focusable DOM markers, so tests and screen readers
// find them), the joined / left / new bars below it on the same time axis, and a bar
// histogram. Colours come from the CSS variables of the current theme.
import { fmtClock, fmtDate, fmtInt, fmtMonth, fmtPct, fmtTime, t } from './i18n.js';
import { h } from './ui.js';

export const palette = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function axes(yLabel) {
  const stroke = cssVar('--muted');
  const grid = { stroke: cssVar('--grid'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, label: yLabel, size: 56, values: (u, vals) => vals.map((v) => fmtInt(v)) },
  ];
}

/** Index of the last point of series si that has a value: the legend's default. */
function lastIdx(u, si) {
  const d = u.data[si] || [];
  for (let i = d.length - 1; i >= 0; i--) if (d[i] != null) return i;
  return null;
}

/**
 * A legend value that shows the latest point when the cursor is not over the chart (instead
 * of "—"): fmt(value, index) gets the point under the cursor, else the last one.
 */
export function legendValue(fmt) {
  return (u, v, si, idx) => {
    const i = idx == null ? lastIdx(u, si) : idx;
    return i == null ? '—' : fmt(u.data[si][i], i);
  };
}

export function width(el) {
  return Math.max(280, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600));
}

/** Keeps a chart as wide as its container. */
function autoSize(el, u, height) {
  let last = width(el);
  const ro = new ResizeObserver(() => {
    const w = width(el);
    if (w !== last) {
      last = w;
      u.setSize({ width: w, height });
    }
  });
  ro.observe(el);
  return ro;
}

/**
 * The raid markers plugin: a dashed vertical line per raid and a button over the plot.
 * getRaids() returns [{x (s), label, kind: 'raid'|'wave', seq}].
 */
function raidPlugin(getRaids, layer) {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const raids = getRaids();
          ctx.save();
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 2 * devicePixelRatio;
          for (const r of raids) {
            const x = Math.round(u.valToPos(r.x, 'x', true));
            ctx.strokeStyle = cssVar(r.kind === 'wave' ? '--danger' : '--warn');
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
          // DOM markers, positioned in CSS pixels inside the plotting area
          layer.replaceChildren();
          for (const r of raids) {
            const left = u.valToPos(r.x, 'x');
            if (!(left >= 0 && left <= u.bbox.width / devicePixelRatio + 1)) continue;
            const b = h(
              'button',
              {
                type: 'button',
                class: 'raid-marker ' + r.kind,
                'data-seq': r.seq,
                'data-kind': r.kind,
                'aria-label': r.label,
                title: r.label,
              },
              r.kind === 'wave' ? t('chart.wave_short') : t('chart.raid_short'),
            );
            b.style.left = `${left}px`;
            b.addEventListener('click', () => {
              const row = document.getElementById(`raid-row-${r.seq}`);
              if (row) {
                row.scrollIntoView({ block: 'center', behavior: 'smooth' });
                row.focus();
              }
            });
            layer.append(b);
          }
        },
      ],
    },
  };
}

/**
 * The timeline: chatters per channel over time, and joined / left / new below.
 * data: {time: bool (x in s, else capture numbers), x, lines: [{label, values}], joined,
 * left, news, raids: [{x, label, kind, seq}]}
 */
export function timeline(topEl, bottomEl, data) {
  const sync = uPlot.sync('tca-timeline');
  let current = data;
  const layer = h('div', { class: 'raid-layer' });
  const topH = 260;
  const botH = 150;
  const cursor = { sync: { key: sync.key }, focus: { prox: 24 } };
  const xSeries = (d) => ({
    label: d.time ? t('chart.time') : t('chart.capture'),
    value: legendValue((v) => (d.time ? fmtTime(new Date(v * 1000).toISOString()) : '#' + v)),
  });
  const xAxes = (d, label) => {
    const a = axes(label);
    if (!d.time) a[0].values = (u, vals) => vals.map((v) => (Number.isInteger(v) ? '#' + v : ''));
    // time ticks in the chosen language, not uPlot's English ones
    // (with seconds when the ticks are less than a minute apart)
    else a[0].values = (u, vals) => vals.map((v, i, all) => fmtClock(new Date(v * 1000).toISOString(), all.length > 1 && all[1] - all[0] < 60));
    return a;
  };
  const mkTop = (d) => ({
    width: width(topEl),
    height: topH,
    cursor,
    legend: { show: true },
    scales: { x: { time: d.time } },
    axes: topAxes(d),
    series: [
      xSeries(d),
      ...d.lines.map((l, i) => ({
        label: l.label,
        stroke: cssVar(palette[i % palette.length]),
        width: 2,
        spanGaps: true,
        points: { show: d.x.length < 80 },
        // normalised view: the line is the share of the channel's own peak, the legend the count
        value: legendValue((v, i) => (d.normalised ? `${fmtInt(l.counts[i])} (${fmtPct(v / 100)})` : fmtInt(v))),
      })),
    ],
    plugins: [raidPlugin(() => current.raids, layer)],
  });
  const bars = uPlot.paths && uPlot.paths.bars;
  const topAxes = (d) => {
    const a = xAxes(d, d.normalised ? t('chart.share_of_peak') : t('chart.chatters'));
    if (d.normalised) a[1].values = (u, vals) => vals.map((v) => fmtPct(v / 100));
    return a;
  };
  // left is drawn below zero: the axis reaches below zero and its ticks say "−"
  const movementAxes = (d) => {
    const a = xAxes(d, t('chart.movement'));
    a[1].values = (u, vals) => vals.map((v) => (v < 0 ? '−' + fmtInt(-v) : fmtInt(v)));
    return a;
  };
  const mkBottom = (d) => ({
    width: width(bottomEl),
    height: botH,
    cursor,
    legend: { show: true },
    scales: { x: { time: d.time }, y: { range: (u, min, max) => [Math.min(0, min) * 1.1, Math.max(1, max) * 1.1] } },
    axes: movementAxes(d),
    series: [
      xSeries(d),
      { label: t('chart.joined'), stroke: cssVar('--ok'), fill: cssVar('--ok-fill'), paths: bars ? bars({ size: [0.7, 40] }) : undefined, value: legendValue((v) => fmtInt(v)) },
      { label: t('chart.left'), stroke: cssVar('--danger'), fill: cssVar('--danger-fill'), paths: bars ? bars({ size: [0.7, 40] }) : undefined, value: legendValue((v) => fmtInt(-v)) },
      { label: t('chart.new'), stroke: cssVar('--c1'), fill: cssVar('--c1-fill'), paths: bars ? bars({ size: [0.35, 20] }) : undefined, value: legendValue((v) => fmtInt(v)) },
    ],
  });
  const topData = (d) => [d.x, ...d.lines.map((l) => l.values)];
  const botData = (d) => [d.x, d.joined, d.left.map((v) => (v == null ? v : -v)), d.news];
  let top;
  let bottom;
  const build = (d) => {
    top = new uPlot(mkTop(d), topData(d), topEl);
    top.over.append(layer);
    bottom = new uPlot(mkBottom(d), botData(d), bottomEl);
  };
  build(data);
  const ro = new ResizeObserver(() => {
    const w = width(topEl);
    if (w !== top.width) top.setSize({ width: w, height: topH });
    const wb = width(bottomEl);
    if (wb !== bottom.width) bottom.setSize({ width: wb, height: botH });
  });
  ro.observe(topEl);
  ro.observe(bottomEl);
  return {
    update(d) {
      const sameShape =
        d.time === current.time &&
        d.normalised === current.normalised &&
        d.lines.length === current.lines.length &&
        d.lines.every((l, i) => l.label === current.lines[i].label);
      current = d;
      if (sameShape) {
        top.setData(topData(d));
        bottom.setData(botData(d));
      } else {
        top.destroy();
        bottom.destroy();
        build(d);
      }
    },
    destroy() {
      ro.disconnect();
      top.destroy();
      bottom.destroy();
    },
  };
}

/** Half a bucket's width in seconds (the bars are centred on their start). */
function pad(u) {
  const x = u.data[0];
  return x.length > 1 ? (x[1] - x[0]) / 2 : 86400;
}

/** Axes whose x ticks are dates in the chosen language. */
function dateAxes(label) {
  const a = axes(label);
  a[0].values = (u, vals) => vals.map((v) => fmtMonth(new Date(v * 1000).toISOString()));
  return a;
}

/** A bar histogram over time: x in seconds (period starts), counts. */
export function histogram(el, x, counts, label) {
  const height = 200;
  const bars = uPlot.paths && uPlot.paths.bars;
  const opts = {
    width: width(el),
    height,
    legend: { show: true },
    // x from the first bucket with accounts to the last, counts from zero
    scales: { x: { time: true, range: (u, min, max) => [min - pad(u), max + pad(u)] }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } },
    axes: dateAxes(label),
    series: [
      { label: t('chart.period'), value: legendValue((v) => fmtDate(new Date(v * 1000).toISOString())) },
      { label, stroke: cssVar('--c2'), fill: cssVar('--c2-fill'), paths: bars ? bars({ size: [0.9, 30] }) : undefined, value: legendValue((v) => fmtInt(v)) },
    ],
  };
  const u = new uPlot(opts, [x, counts], el);
  const ro = autoSize(el, u, height);
  return {
    update(nx, nc) {
      u.setData([nx, nc]);
    },
    destroy() {
      ro.disconnect();
      u.destroy();
    },
  };
}
