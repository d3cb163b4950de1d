#!/usr/bin/env python3
"""Drives the officer dashboard and the public statistics page in headless Chromium.

Through the Chrome DevTools Protocol it opens BASE_URL/dashboard/, signs in as a Deputy
Commissioner, waits for the queue, opens a complaint, optionally assigns it to an officer
and/or resolves it (checking that the status shown changes), then opens BASE_URL/ and prints
the public page's figures as JSON on stdout, for the caller to compare with the API, with the
weekly chart's figures as the dashboard first showed them ("trend"). Without --officer and
--resolution it only signs in, opens the complaint and takes the screenshots (any role).

A screenshot of every step goes to --artefacts, with chromium's log and a steps.json.
Any console error, uncaught exception, CSP violation or timeout fails the run.

Needs Python 3 and Debian's python3-websocket (`import websocket`), and chromium.

Exit status: 0 success; 1 a check failed (console error, CSP violation, timeout, wrong
status, server error shown); 2 bad usage; 3 chromium could not be started.

    python3 Tests/Browser/drive_dashboard.py --base-url http://127.0.0.1:8080 \\
        --username dc.psh --password '...' --complaint PSH-2026-000001 \\
        --officer phe.psh --resolution 'Pipe repaired' --artefacts /tmp/web-artefacts
"""

import argparse
import base64
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import websocket  # Debian: python3-websocket
except ImportError:  # pragma: no cover
    sys.stderr.write("drive_dashboard: the 'websocket' module is missing (apt-get install python3-websocket, "
                     "and run with /usr/bin/python3)\n")
    sys.exit(3)


class Failure(Exception):
    """A check failed: exit 1 with this message."""


class SetupError(Exception):
    """The browser could not be started: exit 3."""


def log(message):
    sys.stderr.write(f"drive_dashboard: {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------
# Chromium and the DevTools connection

class Browser:
    def __init__(self, chromium, artefacts, start_timeout, extra_args):
        self.profile = tempfile.mkdtemp(prefix="portal-chromium-")
        self.log_path = os.path.join(artefacts, "chromium.log")
        args = [
            chromium,
            "--headless=new",
            "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-component-update",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--password-store=basic",
            "--use-mock-keychain",
            "--window-size=1366,900",
            "--lang=en-GB",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # chromium refuses to run as root with the sandbox
        args += extra_args
        args.append("about:blank")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True, errors="replace")
        except OSError as e:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise SetupError(f"cannot start {chromium}: {e}")
        self.ws_url = None
        found = queue.Queue()

        def drain():
            with open(self.log_path, "w", encoding="utf-8") as out:
                for line in self.proc.stderr:
                    out.write(line)
                    out.flush()
                    m = re.search(r"DevTools listening on (ws://\S+)", line)
                    if m:
                        found.put(m.group(1))
            found.put(None)

        threading.Thread(target=drain, daemon=True).start()
        try:
            self.ws_url = found.get(timeout=start_timeout)
        except queue.Empty:
            self.ws_url = None
        if not self.ws_url:
            self.close()
            raise SetupError(f"chromium did not print 'DevTools listening on ws://...' within {start_timeout} s "
                             f"(see {self.log_path})")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


class DevTools:
    """A synchronous CDP client over the browser websocket, using a flattened page session."""

    def __init__(self, ws_url, on_event):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True, enable_multithread=True)
        self.next_id = 0
        self.on_event = on_event
        self.session_id = None

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def send(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session and self.session_id:
            msg["sessionId"] = self.session_id
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"timeout: no DevTools answer to {method} within {timeout} s")
            self.ws.settimeout(remaining)
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            data = json.loads(raw)
            if data.get("id") == mid:
                if "error" in data:
                    raise Failure(f"DevTools {method} failed: {data['error'].get('message')}")
                return data.get("result", {})
            if "method" in data:
                self.on_event(data["method"], data.get("params", {}))

    def pump(self, seconds):
        """Handles events for a while (used between polls)."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.ws.settimeout(remaining)
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return
            data = json.loads(raw)
            if "method" in data:
                self.on_event(data["method"], data.get("params", {}))


# ---------------------------------------------------------------------------------------
# The page

VIOLATION_HOOK = """
(() => {
  window.__portalViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__portalViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
      source: e.sourceFile, line: e.lineNumber, sample: e.sample});
  });
})();
"""


class Driver:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.errors = []
        self.steps = []
        self.live_code = None
        self.shot_index = 0
        self.cdp = None

    # Events ----------------------------------------------------------------------------

    def on_event(self, method, params):
        if method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            desc = (d.get("exception") or {}).get("description") or d.get("text")
            self.errors.append(f"uncaught exception: {desc} at {d.get('url', '')}:{d.get('lineNumber', '')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.errors.append(f"console.{params.get('type')}: {text}")
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            if e.get("level") == "error":
                self.errors.append(f"console error ({e.get('source')}): {e.get('text')} {e.get('url', '')}".rstrip())
        elif method == "Audits.issueAdded":
            issue = params.get("issue", {})
            if issue.get("code") == "ContentSecurityPolicyIssue":
                d = issue.get("details", {}).get("contentSecurityPolicyIssueDetails", {})
                self.errors.append(f"CSP violation: {d.get('violatedDirective')} blocked {d.get('blockedURL', '')} "
                                   f"({d.get('contentSecurityPolicyViolationType')})")
        elif method == "Inspector.targetCrashed":
            self.errors.append("the page crashed")

    def check_errors(self, where):
        if self.cdp is not None:
            try:
                found = self.evaluate("window.__portalViolations || []")
            except Failure:
                found = []
            for v in found or []:
                msg = f"CSP violation: {v.get('directive')} blocked {v.get('blocked')} ({v.get('source')}:{v.get('line')})"
                if msg not in self.errors:
                    self.errors.append(msg)
        if self.errors:
            raise Failure(f"{where}: " + "; ".join(self.errors))

    # Helpers ---------------------------------------------------------------------------

    def evaluate(self, expression):
        r = self.cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Failure(f"evaluating {expression[:80]!r} failed: {(d.get('exception') or {}).get('description') or d.get('text')}")
        return r.get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=None):
        timeout = timeout or self.args.timeout
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            self.check_errors(f"while waiting for {what}")
            if time.monotonic() > deadline:
                self.screenshot("timeout")
                raise Failure(f"timeout after {timeout} s waiting for {what}")
            self.cdp.pump(0.2)

    def screenshot(self, name):
        self.shot_index += 1
        path = os.path.join(self.args.artefacts, f"{self.shot_index:02d}-{name}.png")
        try:
            metrics = self.cdp.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics.get("contentSize")
            clip = {"x": 0, "y": 0, "width": max(1, size["width"]), "height": min(max(1, size["height"]), 6000), "scale": 1}
            r = self.cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
            with open(path, "wb") as f:
                f.write(base64.b64decode(r["data"]))
            log(f"screenshot {path}")
        except Failure as e:
            log(f"screenshot {name} failed: {e}")
        return path

    def step(self, name, **info):
        entry = {"step": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **info}
        self.steps.append(entry)
        log(f"{name} {json.dumps(info, ensure_ascii=False) if info else ''}".rstrip())

    def navigate(self, url):
        r = self.cdp.send("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise Failure(f"cannot open {url}: {r['errorText']}")
        self.wait_for("document.readyState === 'complete'", f"{url} to load")

    def type_into(self, selector, text):
        found = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                              f" if (!e) return false; e.focus(); e.value = ''; return true; }})()")
        if not found:
            raise Failure(f"no element {selector}")
        self.cdp.send("Input.insertText", {"text": text})

    def click(self, selector):
        ok = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                           f" if (!e || e.disabled) return false; e.scrollIntoView({{block: 'center'}}); e.click(); return true; }})()")
        if not ok:
            raise Failure(f"cannot click {selector} (missing or disabled)")

    def text_of(self, selector):
        return self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); return e ? e.textContent.trim() : null; }})()")

    def visible_error(self):
        return self.evaluate("[...document.querySelectorAll('#detail .form-error')]"
                             ".filter(e => !e.hidden && e.textContent.trim()).map(e => e.textContent.trim()).join('; ')")

    # The scenario ----------------------------------------------------------------------

    def run(self):
        a = self.args
        os.makedirs(a.artefacts, exist_ok=True)
        browser = Browser(a.chromium, a.artefacts, a.timeout, a.chromium_arg or [])
        try:
            self.cdp = DevTools(browser.ws_url, self.on_event)
            try:
                return self.scenario()
            except Failure:
                self.screenshot("failure")
                raise
            finally:
                with open(os.path.join(a.artefacts, "steps.json"), "w", encoding="utf-8") as f:
                    json.dump({"steps": self.steps, "errors": self.errors}, f, ensure_ascii=False, indent=2)
                self.cdp.close()
        finally:
            browser.close()

    def scenario(self):
        a = self.args
        cdp = self.cdp
        target = cdp.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        cdp.session_id = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Audits", "Inspector"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride", {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        cdp.send("Page.addScriptToEvaluateOnNewDocument", {"source": VIOLATION_HOOK})

        # 1. The dashboard's sign-in form.
        self.navigate(f"{self.base}/dashboard/")
        self.wait_for("document.body && document.body.dataset.view === 'login'", "the sign-in form")
        self.check_errors("dashboard load")
        self.screenshot("login")
        self.step("login-form")

        # 2. Sign in.
        self.type_into("#login-username", a.username)
        self.type_into("#login-password", a.password)
        self.click("#login-submit")
        outcome = self.wait_for(
            "(() => { if (document.body.dataset.view === 'app') return 'app';"
            " const e = document.querySelector('#login-error'); return e && !e.hidden ? 'error' : ''; })()",
            "sign-in")
        if outcome == "error":
            self.screenshot("login-failed")
            raise Failure(f"sign-in failed: {self.text_of('#login-error')}")
        me = self.evaluate("(() => { const w = document.querySelector('#whoami');"
                           " return {role: w.dataset.role, jurisdiction: w.dataset.jurisdiction, text: w.textContent.trim()}; })()")
        if a.expect_role and me.get("role") != a.expect_role:
            raise Failure(f"signed in with role {me.get('role')}, expected {a.expect_role}")
        self.step("signed-in", **me)

        # 3. The queue.
        self.wait_for("document.querySelector('#queue-panel').dataset.state === 'ready'", "the complaint queue")
        self.wait_for("document.querySelector('[data-stat=\"total\"]').dataset.value !== ''", "the dashboard figures")
        trend_state = self.wait_for("(() => { const s = document.querySelector('#chart-trend').dataset.state;"
                                    " return s === 'ready' || s === 'error' ? s : ''; })()", "the weekly chart")
        if trend_state == "error":
            raise Failure(f"the weekly chart failed: {self.text_of('#chart-trend')}")
        trend = self.evaluate("JSON.parse(document.querySelector('#chart-trend').dataset.weeks || '[]')")
        self.step("trend", weeks=len(trend), received=[w["received"] for w in trend], open=[w["open"] for w in trend])
        officers = self.evaluate("[...document.querySelectorAll('#officer-rows tr')].map(r => r.textContent.trim())")
        self.check_errors("queue")
        queue_info = self.evaluate("(() => ({tab: document.body.dataset.tab,"
                                   " rows: [...document.querySelectorAll('#queue-rows tr[data-code]')].map(r => ({code: r.dataset.code, status: r.dataset.status})),"
                                   " total: document.querySelector('#queue-count').dataset.total}))()")
        self.screenshot("queue")
        self.step("queue", tab=queue_info["tab"], rows=len(queue_info["rows"]), total=queue_info["total"])

        # 3b. Live updates: tell the caller the queue is shown (it then files a complaint
        # through the API), and wait for a new row to appear without any navigation.
        if a.live_signal:
            known = [r["code"] for r in queue_info["rows"]]
            with open(a.live_signal, "w", encoding="utf-8") as f:
                json.dump({"known": known}, f)
            new_code = self.wait_for(
                "(() => { const known = " + json.dumps(known) + ";"
                " const r = [...document.querySelectorAll('#queue-rows tr[data-code]')].find(r => !known.includes(r.dataset.code));"
                " return r ? r.dataset.code : ''; })()", "a complaint filed meanwhile to appear in the queue (live update)")
            self.check_errors("live update")
            self.screenshot("live-update")
            self.step("live", code=new_code)
            self.live_code = new_code

        # 4. Open the complaint: from the list when it is there, else by its code.
        code = a.complaint
        sel = f"#queue-rows button[data-open={json.dumps(code)}]"
        if self.evaluate(f"!!document.querySelector({json.dumps(sel)})"):
            self.click(sel)
            how = "queue row"
        else:
            self.type_into("#open-code", code)
            self.click("#open-submit")
            how = "open by code"
        detail_ready = (f"(() => {{ const d = document.querySelector('#detail');"
                        f" if (d.hidden || d.dataset.code !== {json.dumps(code)}) return '';"
                        f" return d.dataset.state === 'ready' || d.dataset.state === 'error' ? d.dataset.state : ''; }})()")
        state = self.wait_for(detail_ready, f"complaint {code} to open")
        if state == "error":
            self.screenshot("detail-error")
            raise Failure(f"opening {code} failed: {self.visible_error()}")
        status = self.evaluate("document.querySelector('#detail-status').dataset.status")
        self.check_errors("complaint detail")
        self.screenshot("detail")
        self.step("opened", code=code, via=how, status=status)
        statuses = [status]

        # 5. Assign.
        if a.officer:
            if not self.evaluate("!document.querySelector('#assign-form').hidden"):
                self.screenshot("assign-unavailable")
                raise Failure(f"the Assign form is not offered for {code} (status {status}, role {me.get('role')})")
            self.wait_for("document.querySelector('#assign-officer').options.length > 1", "the officer list")
            chosen = self.evaluate(
                "(() => { const want = " + json.dumps(a.officer) + "; const s = document.querySelector('#assign-officer');"
                " const o = [...s.options].find(o => o.value && (o.value === want || o.dataset.username === want || o.dataset.name === want));"
                " if (!o) return null; s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true}));"
                " return {id: o.value, label: o.textContent}; })()")
            if not chosen:
                options = self.evaluate("[...document.querySelector('#assign-officer').options].filter(o => o.value)"
                                        ".map(o => `${o.value} ${o.dataset.username}`)")
                raise Failure(f"officer {a.officer!r} is not offered; the list has {options}")
            if a.assign_remark:
                self.type_into("#assign-remark", a.assign_remark)
            self.click("#assign-submit")
            status = self.wait_action("AssignComplaint", {"COMPLAINT_STATUS_ASSIGNED"}, code)
            self.wait_for("(document.querySelector('#detail-assigned').dataset.officerIds || '').split(',').includes("
                          + json.dumps(chosen["id"]) + ")", f"officer {chosen['id']} to show as assigned")
            self.screenshot("assigned")
            self.step("assigned", code=code, officer=chosen, status=status)
            statuses.append(status)

        # 6. Resolve.
        if a.resolution:
            if not self.evaluate("!document.querySelector('#resolve-form').hidden"):
                self.screenshot("resolve-unavailable")
                raise Failure(f"the Resolve form is not offered for {code} (status {status})")
            self.type_into("#resolve-remarks", a.resolution)
            self.click("#resolve-submit")
            status = self.wait_action("ResolveComplaint", {"COMPLAINT_STATUS_RESOLVED"}, code)
            self.screenshot("resolved")
            self.step("resolved", code=code, status=status)
            statuses.append(status)

        # The queue row (when listed) follows at the next refresh.
        row_status = None
        if len(statuses) > 1:
            row_sel = f"#queue-rows tr[data-code={json.dumps(code)}]"
            if self.evaluate(f"!!document.querySelector({json.dumps(row_sel)})"):
                row_status = self.wait_for(
                    f"(() => {{ const r = document.querySelector({json.dumps(row_sel)}); if (!r) return 'gone';"
                    f" return r.dataset.status === {json.dumps(status)} ? r.dataset.status : ''; }})()",
                    "the queue row to show the new status")
        self.check_errors("actions")

        # 7. The public page.
        self.navigate(f"{self.base}/")
        self.wait_for("document.body && document.body.dataset.state === 'ready'", "the public statistics")
        self.check_errors("public page")
        public = self.evaluate("""(() => {
          const stats = {};
          for (const e of document.querySelectorAll('[data-stat]')) {
            const v = e.dataset.value;
            stats[e.dataset.stat] = /^\\d+$/.test(v) ? Number(v) : v;
          }
          const derived = {};
          for (const e of document.querySelectorAll('[data-derived]')) derived[e.dataset.derived] = Number(e.dataset.value);
          const districts = {};
          for (const r of document.querySelectorAll('#district-rows tr[data-district]')) {
            const row = {name: r.querySelector('th .en') ? r.querySelector('th .en').textContent : ''};
            for (const c of r.querySelectorAll('td[data-field]')) row[c.dataset.field] = Number(c.dataset.value);
            districts[r.dataset.district] = row;
          }
          return {stats, derived, districts};
        })()""")
        self.screenshot("public")
        self.step("public", stats=public["stats"])
        self.check_errors("end")
        return {
            "ok": True,
            "signedIn": me,
            "complaint": code,
            "statuses": statuses,
            "queueRowStatus": row_status,
            "trend": trend,
            "officers": officers,
            "liveCode": self.live_code,
            "public": public,
            "artefacts": os.path.abspath(a.artefacts),
        }

    def wait_action(self, method, wanted, code):
        """Waits until the detail panel reports the action done (status shown) or an error."""
        try:
            result = self.wait_action_(method, wanted, code)
        except Failure as e:
            self.cdp.pump(0.5)
            shown = self.visible_error()
            if shown:
                raise Failure(f"{method} on {code} failed, the page shows: {shown} ({e})")
            raise
        if "error" in result:
            raise Failure(f"{method} on {code} failed, the page shows: {result['error']}")
        return result["status"]

    def wait_action_(self, method, wanted, code):
        return self.wait_for(
            "(() => { const d = document.querySelector('#detail');"
            " const shown = [...document.querySelectorAll('#detail .form-error')].filter(e => !e.hidden && e.textContent.trim());"
            " if (shown.length && d.dataset.lastError && document.querySelector('#detail form[aria-busy]') === null)"
            "   return {error: shown.map(e => e.textContent.trim()).join('; ')};"
            " const s = document.querySelector('#detail-status').dataset.status;"
            " if (d.dataset.lastAction === " + json.dumps(method) + " && " + json.dumps(sorted(wanted)) + ".includes(s)) return {status: s};"
            " return null; })()",
            f"{method} on {code}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True, help="the gateway, e.g. http://127.0.0.1:8080")
    p.add_argument("--chromium", default=shutil.which("chromium") or "chromium", help="the browser binary")
    p.add_argument("--username", required=True, help="a staff username (a Deputy Commissioner to assign and resolve)")
    p.add_argument("--password", required=True)
    p.add_argument("--complaint", required=True, help="the complaint code to open, e.g. PSH-2026-000001")
    p.add_argument("--officer", help="assign to this officer (staff id, username or name); omit to skip")
    p.add_argument("--assign-remark", help="remark sent with the assignment")
    p.add_argument("--resolution", help="resolve with this text; omit to skip")
    p.add_argument("--artefacts", required=True, help="folder for screenshots, chromium.log and steps.json")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each step (default 20)")
    p.add_argument("--expect-role", default=None, help="fail unless GetMe reports this role, e.g. ROLE_DEPUTY_COMMISSIONER")
    p.add_argument("--chromium-arg", action="append", help="an extra chromium flag (repeatable)")
    p.add_argument("--live-signal", help="after the queue shows, write its codes to this file and wait for a new"
                   " complaint to appear in it without reloading (the caller files one when the file appears)")
    args = p.parse_args()
    if not re.match(r"^https?://", args.base_url):
        p.error("--base-url must start with http:// or https://")
    if urllib.parse.urlparse(args.base_url).path not in ("", "/"):
        p.error("--base-url must be the server's root (the pages live at / and /dashboard/)")

    driver = Driver(args)
    try:
        result = driver.run()
    except SetupError as e:
        log(f"SETUP FAILED: {e}")
        return 3
    except Failure as e:
        log(f"FAILED: {e}")
        return 1
    except (OSError, websocket.WebSocketException) as e:
        log(f"FAILED: DevTools connection: {e}")
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
