// The dashboard's followers panel in a real browser (Debian's chromium, headless) against
// `tca serve` and `tca twitch-sim` on loopback (seed 1: the follow-bot wave of 96 accounts
// follows raid_channel at ticks 7 and 8): a login without follower access sees the way to
// grant it; with it, the captures read new followers, and the panel's numbers, wave lines and
// capture rows are the ones the API returns. Nothing here waits a fixed time: every wait polls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, startServers, waitFor, watchErrors } from './lib.mjs';

const RAID = 20005;

test('the dashboard followers panel', { timeout: 400000 }, async (t) => {
  const s = await startServers({ env: { TCA_FOLLOWERS_INTERVAL: '0' } });
  const b = await launch();
  const page = await b.context.newPage();
  watchErrors(page);
  t.after(async () => {
    await b.close();
    await s.stop();
  });
  const api = (p, method = 'GET') =>
    page.evaluate(
      async ([p, method]) => {
        const me = await (await fetch('/api/v1/me')).json();
        const r = await fetch(p, { method, headers: { 'X-CSRF-Token': me.csrf_token } });
        return { status: r.status, body: await r.json() };
      },
      [p, method],
    );
  async function capture() {
    const r = await api(`/api/v1/sessions/active/channels/${RAID}/capture`, 'POST');
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await waitFor(async () => {
      const j = (await api(`/api/v1/jobs/${r.body.job_id}`)).body;
      return j.state === 'done' || j.state === 'failed' ? j : null;
    }, 'the capture job', 60000);
    assert.equal(job.state, 'done', JSON.stringify(job));
  }
  async function openDashboard() {
    await page.goto('about:blank');
    await page.goto(s.gw + '/#/dashboard');
    await page.waitForFunction(() => document.body.dataset.dashboardReady === '1');
  }
  const panel = page.locator('#followers');
  const followersDoc = async () => (await api('/api/v1/sessions/active/stats?sections=followers')).body.followers;

  await t.test('without follower access: the panel says how to grant it', async () => {
    await login(page, s.gw);
    await capture();
    await openDashboard();
    const relogin = panel.locator('a.relogin');
    await relogin.waitFor();
    assert.equal(await relogin.getAttribute('href'), '/auth/login?with=followers');
    assert.equal(await panel.locator('.followers-channel').count(), 0);
  });

  await t.test('with it: the panel shows the numbers and the wave the API has', async () => {
    await page.goto(s.gw + '/auth/login?with=followers');
    await page.waitForURL(/#\/channels/);
    for (let i = 0; i < 10; i++) {
      await s.simPost('/_sim/advance?ticks=1');
      await capture();
    }
    // the wave needs the creation dates the enrichment brings after the captures
    const doc = await waitFor(async () => {
      const d = await followersDoc();
      const c = d.channels.find((x) => x.login === 'raid_channel');
      return c && c.waves.length > 0 ? d : null;
    }, 'a follower wave in the statistics', 60000);
    const c = doc.channels.find((x) => x.login === 'raid_channel');
    await openDashboard();
    await panel.locator('.followers-channel').first().waitFor();
    const text = await panel.textContent();
    const int = (n) => new Intl.NumberFormat('en').format(n);
    assert.match(text, new RegExp(`${int(c.new_followers)} new followers over ${int(c.reads)} reads`));
    const waves = panel.locator('.followers-wave');
    assert.equal(await waves.count(), c.waves.length);
    for (let i = 0; i < c.waves.length; i++)
      assert.match(await waves.nth(i).textContent(), new RegExp(`${int(c.waves[i].count)} new followers at capture ${c.waves[i].seq}`));
    const shown = c.captures.filter((x) => x.new_followers > 0).slice(-8);
    const rows = panel.locator('tbody tr');
    assert.equal(await rows.count(), shown.length);
    for (let i = 0; i < shown.length; i++) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      assert.equal(cells[0], String(shown[i].seq));
      assert.equal(cells[2], int(shown[i].new_followers));
      assert.equal((await rows.nth(i).getAttribute('class')) === 'flagged', shown[i].wave);
    }
  });
});
