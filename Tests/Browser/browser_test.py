#!/usr/bin/env python3
"""End-to-end test of the dashboards in a real browser (headless Chromium).

Starts `portal-server --port 0` on a fresh data folder, prepares a scene through the HTTP
gateway's JSON API (the admin creates a Deputy Commissioner and a department officer of
Peshawar; a citizen registers, verifies the mobile with the code from the SMS outbox, signs in
and files a complaint), then runs drive_dashboard.py: the DC signs in on /dashboard/, opens
the complaint, assigns it to the officer and resolves it, while screenshots go to the
artefacts folder. Finally it checks that:
  - the complaint is RESOLVED in the API after the browser's clicks;
  - the public page at / shows exactly the figures of CitizenService/GetPublicStatistics;
  - a Commissioner and the Chief Secretary sign in and open the complaint, and their 8-week
    charts show GetDashboard's figures per week.

Usage: browser_test.py SERVER_BINARY [--artefacts DIR] [--chromium PATH]
Prints "browser-test: N passed, M failed" last; exit status 0 only if all passed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_PASSWORD = "Browser-admin-2026x"


class Portal:
    """A portal-server process and its gateway's JSON API."""

    def __init__(self, binary, work):
        self.data = os.path.join(work, "data")
        env = dict(os.environ, PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.log = open(os.path.join(work, "server.log"), "w")
        self.proc = subprocess.Popen([binary, "--port", "0", "--data", self.data, "--event-loops", "1"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True)
        self.base = None
        deadline = time.time() + 60
        while time.time() < deadline and self.base is None:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("portal-server exited before listening")
            m = re.match(r"portal-server http on (\S+) ", line)
            if m:
                self.base = "http://" + m.group(1)
        if self.base is None:
            raise RuntimeError("portal-server printed no http line")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def call(self, method, body, token=None):
        """POSTs `body` as JSON to /portal.v1.<method>; returns the decoded answer or raises."""
        headers = {"Content-Type": "application/json", "Connect-Protocol-Version": "1"}
        if token:
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.base + "/portal.v1." + method, data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method}: HTTP {e.code} {e.read().decode(errors='replace')}") from None

    def sms_code(self, mobile_e164):
        outbox = os.path.join(self.data, "sms-outbox.log")
        for _ in range(100):
            if os.path.exists(outbox):
                for line in reversed(open(outbox, encoding="utf-8").read().splitlines()):
                    if "\t" + mobile_e164 + "\t" in line:
                        m = re.search(r"code: (\d{6})", line)
                        if m:
                            return m.group(1)
            time.sleep(0.1)
        raise RuntimeError("no verification code for " + mobile_e164)


def prepare(portal):
    """The scene: staff, a verified citizen and one complaint in Peshawar."""
    admin = portal.call("OfficerService/Login", {"username": "admin", "password": ADMIN_PASSWORD})["token"]
    dc = portal.call("AdminService/CreateStaff", {"username": "dc.psh", "name": "Sana Gul", "role": "ROLE_DEPUTY_COMMISSIONER",
                                                  "jurisdictionCode": "PSH", "designation": "Deputy Commissioner Peshawar"}, admin)
    officer = portal.call("AdminService/CreateStaff", {"username": "phe.psh", "name": "Bilal Ahmad", "role": "ROLE_DEPARTMENT_OFFICER",
                                                       "jurisdictionCode": "PSH", "departmentCode": "PHE",
                                                       "designation": "SDO Public Health Engineering"}, admin)
    mobile = "03451234567"
    reg = portal.call("CitizenService/Register", {"name": "Ayesha Khan", "cnic": "17301-1234567-1", "mobile": mobile,
                                                  "districtCode": "PSH", "password": "Gulbahar-street-4x"})
    portal.call("CitizenService/VerifyMobile", {"citizenId": reg["citizenId"], "code": portal.sms_code("+923451234567")})
    citizen = portal.call("CitizenService/Login", {"cnic": "17301-1234567-1", "password": "Gulbahar-street-4x"})["token"]
    complaint = portal.call("CitizenService/FileComplaint", {
        "idempotencyKey": "browser-test-1", "categoryCode": "water-supply", "districtCode": "PSH",
        "description": "No water supply in Gulbahar, street 4, for five days.",
        "address": "House 12, Street 4, Gulbahar, Peshawar"}, citizen)
    return {"dcUsername": "dc.psh", "dcPassword": dc["oneTimePassword"], "officerId": officer["staff"]["id"],
            "complaint": complaint["code"], "citizenToken": citizen, "adminToken": admin}


def run_driver(portal, args, artefacts, username, password, complaint, role, actions=(), on_live=None):
    """Runs drive_dashboard.py; returns (exit status, its JSON report or {}). With `on_live`,
    the driver signals once the queue shows; `on_live()` then changes the data (the driver
    waits for the change to appear without a reload)."""
    # "--password=VALUE": a one-time password may start with "-" (base64url), which argparse
    # would take for an option if it stood alone.
    command = [sys.executable, os.path.join(HERE, "drive_dashboard.py"), "--base-url", portal.base,
               "--chromium", args.chromium, "--username", username, f"--password={password}",
               "--complaint", complaint, "--artefacts", artefacts, "--expect-role", role, *actions]
    signal = None
    if on_live:
        signal = os.path.join(tempfile.mkdtemp(prefix="portal-live."), "queue-shown.json")
        command += ["--live-signal", signal]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if on_live:
        deadline = time.time() + 120
        while not os.path.exists(signal) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        if os.path.exists(signal):
            time.sleep(0.2)  # the file is written whole before the driver starts waiting
            on_live()
    out, err = proc.communicate(timeout=300)
    sys.stderr.write(err[-4000:])
    return proc.returncode, (json.loads(out) if proc.returncode == 0 else {})


def trend_matches_api(portal, token, weeks, fields, filed_since=0):
    """Whether the weekly chart shows, for each of its periods, what GetDashboard answers for it
    (less `filed_since` complaints received in the last week after the chart was read)."""
    if len(weeks) != 8:
        return False
    for i, w in enumerate(weeks):
        d = portal.call("OfficerService/GetDashboard", {"periodStart": w["start"], "periodEnd": w["end"]}, token)
        c = {k: int(v) for k, v in d.get("complaints", {}).items()}
        api = {"received": c.get("total", 0) - (filed_since if i == 7 else 0), "resolved": c.get("resolved", 0) + c.get("closed", 0),
               "open": c.get("new", 0) + c.get("pending", 0)}
        if any(w[f] != api[f] for f in fields):
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--artefacts", default=os.path.join(tempfile.gettempdir(), "portal-browser-artefacts"))
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = ap.parse_args()
    passed, failed = 0, 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("  ok   " + what)
        else:
            failed += 1
            print("  FAIL " + what)

    work = tempfile.mkdtemp(prefix="portal-browser.")
    portal = Portal(args.server, work)
    try:
        scene = prepare(portal)
        print(f"scene: complaint {scene['complaint']}, officer {scene['officerId']}, gateway {portal.base}")
        shutil.rmtree(args.artefacts, ignore_errors=True)
        filed_live = []

        def file_second():
            filed_live.append(portal.call("CitizenService/FileComplaint", {
                "idempotencyKey": "browser-test-2", "categoryCode": "water-supply", "districtCode": "PSH",
                "description": "Sewage overflowing into the street near the Gulbahar school."}, scene["citizenToken"])["code"])

        code, report = run_driver(portal, args, args.artefacts, scene["dcUsername"], scene["dcPassword"], scene["complaint"],
                                  "ROLE_DEPUTY_COMMISSIONER", ["--officer", scene["officerId"],
                                                               "--resolution", "Broken pipe replaced near house 12; supply restored."],
                                  on_live=file_second)
        check(code == 0, f"the DC signed in, assigned and resolved in Chromium (exit {code})")
        check(len(filed_live) == 1 and report.get("liveCode") == filed_live[0],
              f"a complaint filed while the queue was open appeared without a reload ({report.get('liveCode')} vs {filed_live})")

        dc = portal.call("OfficerService/Login", {"username": scene["dcUsername"], "password": scene["dcPassword"]})["token"]
        # Shown before the clicks and the live complaint, so only the complaints received per
        # week (less the live one) stay the same since.
        weeks = report.get("trend", [])
        check(trend_matches_api(portal, dc, weeks, ["received"], filed_since=len(filed_live)) and sum(w["received"] for w in weeks) >= 1,
              f"the DC's 8 weeks show GetDashboard's complaints per week ({[w['received'] for w in weeks]})")
        view = portal.call("OfficerService/GetComplaint", {"code": scene["complaint"]}, dc)
        status = view["complaint"]["status"]
        check(status == "COMPLAINT_STATUS_RESOLVED", f"the API shows the complaint resolved (status {status})")
        check(scene["officerId"] in view["complaint"].get("assignedOfficerIds", []), "the API shows the officer assigned")
        mine = portal.call("CitizenService/GetComplaint", {"code": scene["complaint"]}, scene["citizenToken"])
        check(mine["status"] == "COMPLAINT_STATUS_RESOLVED", "the citizen sees the resolution")

        stats = portal.call("CitizenService/GetPublicStatistics", {})
        shown = report.get("public", {}).get("stats", {})
        for field in ["citizensRegistered", "complaintsReceived", "complaintsResolved", "feedbackGiven", "satisfiedCitizens"]:
            api = int(stats.get(field, "0"))
            page = shown.get(field)
            check(page is not None and int(page) == api, f"public page {field} = {page}, API = {api}")
        check(int(stats.get("complaintsResolved", "0")) >= 1, "the resolution counts in the public figures")
        pngs = [f for f in os.listdir(args.artefacts) if f.endswith(".png")] if os.path.isdir(args.artefacts) else []
        check(len(pngs) >= 4, f"{len(pngs)} screenshots saved in {args.artefacts}")

        # The higher tiers: the Commissioner of Peshawar's division, then the Chief Secretary of
        # the province, sign in and open the (now resolved) complaint, which is in their scope.
        jurisdictions = {j["code"]: j for j in portal.call("CitizenService/ListJurisdictions", {})["jurisdictions"]}
        division = jurisdictions["PSH"]["parentCode"]
        province = jurisdictions[division]["parentCode"]
        for title, username, role, scope in [("Commissioner", "comm.psh", "ROLE_COMMISSIONER", division),
                                             ("Chief Secretary", "cs.kp", "ROLE_CHIEF_SECRETARY", province)]:
            staff = portal.call("AdminService/CreateStaff", {"username": username, "name": "Riaz Khan", "role": role,
                                                             "jurisdictionCode": scope, "designation": title}, scene["adminToken"])
            code, report = run_driver(portal, args, os.path.join(args.artefacts, username), username,
                                      staff["oneTimePassword"], scene["complaint"], role)
            check(code == 0 and report.get("signedIn", {}).get("jurisdiction") == scope,
                  f"the {title} of {scope} signed in and opened the complaint in Chromium (exit {code})")
            check(report.get("officers") == ["Officer figures are kept per district: choose a district under Scope"],
                  f"the {title}'s officer table points to a district scope ({report.get('officers')})")
            token = portal.call("OfficerService/Login", {"username": username, "password": staff["oneTimePassword"]})["token"]
            weeks = report.get("trend", [])
            check(trend_matches_api(portal, token, weeks, ["received", "resolved", "open"]),
                  f"the {title}'s 8 weeks show GetDashboard's figures per week ({[w['resolved'] for w in weeks]} resolved)")
    except Exception as e:  # a broken scene is a failure, reported like the others
        check(False, f"unexpected error: {e}")
    finally:
        portal.stop()
        if failed:
            print("--- last lines of the server's log ---")
            print("".join(open(os.path.join(work, "server.log")).readlines()[-20:]))
        shutil.rmtree(work, ignore_errors=True)
    print(f"browser-test: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
