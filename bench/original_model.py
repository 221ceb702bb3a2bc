#!/usr/bin/env python3
"""The original system's storage model, for bench_session_store: reads the captures, stays
and profiles of a tca SQLite store, writes them into a new SQLite file with one row per
chatter per capture (login and account creation date repeated on each row, dates as text,
as the original did), then times the same questions with SQL aggregates. Prints numbers,
asserts nothing, never writes to the tca store.
Usage: original_model.py TCA_DB OUT_DB"""
import os
import resource
import sqlite3
import sys
import time


def main():
    src, dst = sys.argv[1], sys.argv[2]
    if os.path.exists(dst):
        os.unlink(dst)
    t = time.monotonic()
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    d = sqlite3.connect(dst)
    d.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE captures(id INTEGER PRIMARY KEY, channel TEXT NOT NULL,
                              taken_at TEXT NOT NULL);
        CREATE TABLE capture_chatters(capture_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
                                      login TEXT NOT NULL, account_created_at TEXT);
        """
    )
    caps = s.execute(
        "SELECT c.seq, c.taken_at, ch.login FROM captures c JOIN channels ch"
        " ON ch.id = c.channel_id ORDER BY c.seq").fetchall()
    last = caps[-1][0] if caps else 0
    d.executemany(
        "INSERT INTO captures VALUES(?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', ?/1000.0, 'unixepoch'))",
        [(seq, login, at) for seq, at, login in caps])
    rows = s.execute(
        "SELECT p.user_id, p.from_seq, COALESCE(p.to_seq, ?), u.login, u.created_at"
        " FROM presence p LEFT JOIN twitch_users u ON u.id = p.user_id", (last,))

    def expand():
        for uid, a, b, login, created in rows:
            day = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created / 1000)) if created else None
            for seq in range(a, b + 1):
                yield (seq, uid, login or "", day)

    d.executemany("INSERT INTO capture_chatters VALUES(?, ?, ?, ?)", expand())
    d.executescript(
        "CREATE INDEX capture_chatters_capture ON capture_chatters(capture_id);"
        "CREATE INDEX capture_chatters_user ON capture_chatters(user_id);")
    d.commit()
    n = d.execute("SELECT COUNT(*) FROM capture_chatters").fetchone()[0]
    print(f"original model: {n} rows (one per chatter per capture) loaded in "
          f"{time.monotonic() - t:.1f} s, file {os.path.getsize(dst) / 1e6:.1f} MB")
    d.close()
    d = sqlite3.connect(dst)  # a cold connection, as a request would open

    def timed(label, sql):
        t = time.monotonic()
        r = d.execute(sql).fetchall()
        ms = (time.monotonic() - t) * 1e3
        print(f"original model: {label:<34} {ms:8.0f} ms  ({len(r)} rows)")
        return r

    u = timed("unique chatters", "SELECT COUNT(DISTINCT user_id) FROM capture_chatters")
    print(f"original model: unique chatters = {u[0][0]}")
    timed("top creation days",
          "SELECT substr(account_created_at, 1, 10) AS day, COUNT(DISTINCT user_id) AS n"
          " FROM capture_chatters WHERE account_created_at IS NOT NULL"
          " GROUP BY day ORDER BY n DESC LIMIT 10")
    timed("series (chatters per capture)",
          "SELECT c.id, c.taken_at, COUNT(*) FROM captures c"
          " JOIN capture_chatters x ON x.capture_id = c.id GROUP BY c.id ORDER BY c.id")
    timed("per-chatter export",
          "SELECT x.user_id, MAX(x.login), MIN(c.taken_at), MAX(c.taken_at), COUNT(*),"
          " MAX(x.account_created_at) FROM capture_chatters x"
          " JOIN captures c ON c.id = x.capture_id GROUP BY x.user_id ORDER BY x.user_id")
    print(f"original model: peak RSS of the script {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
