// A flag's details in the chosen language. The statistics API gives them as English text
// built from fixed patterns (analysis/flags.c: "created 2025-06-14, a critical creation day
// (150 accounts)", "login cluster coolviewer_* (99 accounts, 1..99)", "in 3 channels at
// once", "4 renames (a -> b)", "known bot", joined by "; "). Each part is read back into its
// values and written again through the catalogue, with dates and numbers through Intl; a
// part that matches no pattern is shown as it came. Never builds HTML.
import { fmtDate, fmtInt, t } from './i18n.js';

const PATTERNS = [
  [/^created (\d{4}-\d{2}-\d{2}), an? (\w+) creation day \((\d+) accounts\)$/, (m) => t('flag.wave', { day: fmtDate(m[1]), level: t('level.' + m[2]), n: fmtInt(Number(m[3])) })],
  [/^login cluster (.+)\* \((\d+) accounts, (\d+)\.\.(\d+)\)$/, (m) => t('flag.cluster', { stem: m[1], n: fmtInt(Number(m[2])), from: m[3], to: m[4] })],
  [/^in (\d+) channels at once$/, (m) => t('flag.multi_channel', { n: fmtInt(Number(m[1])) })],
  [/^(\d+) renames \((.*) -> (.*)\)$/, (m) => t('flag.renamer', { n: fmtInt(Number(m[1])), from: m[2], to: m[3] })],
  [/^known bot$/, () => t('flag.known_bot')],
];

/** The details text of a flagged account, translated part by part. */
export function flagDetails(text) {
  return String(text || '')
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      for (const [re, fmt] of PATTERNS) {
        const m = part.match(re);
        if (m) return fmt(m);
      }
      return part;
    })
    .join('; ');
}
