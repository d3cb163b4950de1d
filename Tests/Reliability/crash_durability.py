#!/usr/bin/env python3
"""Crash durability: drive FileComplaint from several connections, kill -9 the server
mid-load, restart it on the same data folder, and check that every complaint whose response
reached a client is present and intact, and that SQLite's integrity_check passes. Repeats at
several kill points; prints acknowledged / found per round and exits non-zero on any loss.

    python3 Tests/Reliability/crash_durability.py --server .build/debug/portal-server [--rounds 4] [--sync full]
"""
import argparse, os, shutil, sqlite3, sys, tempfile, threading, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from portal_process import Portal, Server, load_all_protos, rpc  # noqa: E402


def writer(portal, host, port, token, acked, stop, lock):
    """Files complaints until the connection dies; records every acknowledged one."""
    v1 = portal.v1
    try:
        conn = rpc.Connection(host, port, pb=portal.pb)
    except Exception:
        return
    try:
        while not stop.is_set():
            key = "crash-" + uuid.uuid4().hex
            text = "Crash test complaint %s: the street light is broken." % key
            try:
                c = portal.call(conn, "CitizenService", "FileComplaint", v1.FileComplaintRequest(
                    idempotency_key=key, category_code="street-lights", description=text), v1.Complaint, token=token)
            except Exception:
                return  # the server died under us; this request was never acknowledged
            with lock:
                acked.append((token, c.code, text))
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--writers", type=int, default=6)
    ap.add_argument("--sync", choices=["normal", "full"], default="normal")
    args = ap.parse_args()

    pb = load_all_protos()
    portal = Portal(pb)
    v1 = portal.v1
    data = tempfile.mkdtemp(prefix="portal-crash-")
    extra = ["--sync", args.sync]
    failures = 0
    try:
        server = Server(args.server, data, extra)
        conn = rpc.Connection(server.host, server.port, pb=pb)
        tokens = [portal.new_citizen(conn, data, n) for n in range(args.writers)]
        conn.close()

        total_acked = total_found = 0
        kill_after = [0.25, 0.6, 1.1, 1.7, 2.3, 0.4, 0.9, 1.4]
        for round_no in range(args.rounds):
            acked, lock, stop = [], threading.Lock(), threading.Event()
            threads = [threading.Thread(target=writer, args=(portal, server.host, server.port, t, acked, stop, lock))
                       for t in tokens]
            for t in threads: t.start()
            time.sleep(kill_after[round_no % len(kill_after)])
            server.kill9()                      # mid-load, no warning
            stop.set()
            for t in threads: t.join(timeout=15)

            server = Server(args.server, data, extra)
            conn = rpc.Connection(server.host, server.port, pb=pb)
            found = 0
            for token, code, text in acked:
                try:
                    c = portal.call(conn, "CitizenService", "GetComplaint", v1.GetComplaintRequest(code=code),
                                    v1.Complaint, token=token)
                    if c.description == text and c.code == code:
                        found += 1
                    else:
                        print("  round %d: %s came back altered" % (round_no + 1, code))
                except rpc.RpcError as e:
                    print("  round %d: %s lost (%s)" % (round_no + 1, code, e))
            conn.close()
            total_acked += len(acked)
            total_found += found
            print("round %d: killed after %.2f s; acknowledged %d, found intact %d" %
                  (round_no + 1, kill_after[round_no % len(kill_after)], len(acked), found))
            if found != len(acked) or not acked:
                failures += 1

        server.stop()
        db = sqlite3.connect(os.path.join(data, "portal.sqlite"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        db.close()
        print("integrity_check: %s; foreign_key_check: %d problems" % (integrity, len(fk)))
        if integrity != "ok" or fk:
            failures += 1
        print("crash-durability (sync %s): %d rounds, acknowledged %d, found %d, %s" %
              (args.sync, args.rounds, total_acked, total_found, "OK" if failures == 0 else "FAILED"))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
