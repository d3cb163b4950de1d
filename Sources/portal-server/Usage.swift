/// `portal-server --help`.
extension ServerOptions {
    static let usage = """
    usage: portal-server [--config FILE] [--host ADDR] [--port N] [--data DIR] [--sync normal|full]
                         [--seed FILE] [--dev] [--event-loops N] [--grace SECONDS] [--metrics-port N]
                         [--http-port N] [--web-root DIR]
                         [limits] [escalation] [logging]

    Every setting is a flag (--name VALUE or --name=VALUE) and a key of the config file (a JSON
    object: {"port": 50051, "sync": "full", "dev": false, ...}; docs/portal-server.example.json).
    A flag beats the config file, which beats the default. An unknown flag or key, or a bad
    value, stops portal-server with exit status 2 before anything starts.

      --config FILE      read settings from this JSON file (flag only)
      --host ADDR        listen address (default 127.0.0.1; 0.0.0.0 or :: for all interfaces)
      --port N           TCP port (default 50051; 0 picks a free port and prints it)
      --data DIR         data folder: portal.sqlite, attachments/, sms-outbox.log (default ./data)
      --sync MODE        normal (default): an acknowledged write survives a crash or kill -9 of the
                         server; full: also survives power loss or an OS crash (one fsync per
                         group commit)
      --seed FILE        jurisdiction/category seed JSON for a first start (default: the bundled
                         Khyber Pakhtunkhwa file)
      --dev              development mode: admins may move the clock with AdminService.AdvanceClock
                         (portal-client advance-clock) to show escalation; never in production
                         (config: "dev": true)
      --event-loops N    event-loop threads (default: one per core)
      --grace SECONDS    on SIGTERM/SIGINT, how long open calls may finish (default 10)
      --metrics-port N   serve Prometheus metrics (GET /metrics) and a liveness probe (GET /healthz)
                         over HTTP on this port of --host (default 0 = off)
      --http-port N      the HTTP gateway: every unary method as a Connect call (POST
                         /portal.v1.Service/Method, application/proto or application/json), the
                         dashboards at /dashboard/ and public statistics at / (docs/HTTP.md);
                         default 8080, or a free port when --port is 0; 0 picks a free port;
                         -1 turns it off
      --web-root DIR     serve the dashboards from DIR instead of the bundled copy (development)

    limits (docs/RELIABILITY.md, docs/PROTOCOL.md; SECONDS may be fractional):
      --max-in-flight N             unary calls running at once before new calls get
                                    RESOURCE_EXHAUSTED "server overloaded" (default 2048)
      --max-queued-writes N         store writes waiting before more get UNAVAILABLE (default 4096)
      --partial-frame-timeout SECS  a started frame must be complete within this (default 30; 0 = off)
      --write-stall-timeout SECS    drop a client that takes no output for this long (default 30; 0 = off)
      --max-outbound-buffer BYTES   drop a client with this much output waiting (default 67108864)
      --max-frame-size BYTES        largest message a client may send (default 4194304, at least
                                    16384; portal-client uploads in 256 KiB chunks)
      --max-streams N               open calls per connection (default 1024)
      --max-connections N           client connections at once; more are closed at once (default 10000)
      --http-head-timeout SECS      an HTTP request's head must arrive within this, else 408 (default 10)
      --http-body-timeout SECS      ... and its body within this from its first byte, else 408 (default 30)
      --http-idle-timeout SECS      close a kept-alive HTTP connection idle this long (default 60)
      --http-write-stall-timeout SECS  drop an HTTP client that takes no output for this long (default 30)
      --http-max-connections N      HTTP connections at once; more are closed at once (default 1024)

    escalation (each one set here replaces the stored policy at start-up, saved and audited;
    unset ones keep what AdminService.SetEscalationPolicy stored, else the default):
      --division-after-days N       unresolved complaints go to the Commissioner after N days (default 15)
      --province-after-days N       ... and to the Chief Secretary after N days (default 22)
      --max-reopens N               how often a citizen may reopen a complaint (default 2)
      --escalation-scan-interval SECS   how often overdue complaints are looked for (default 60)

    logging (to stderr; stdout carries only the "portal-server listening on ADDR" line, and the
    bootstrap admin's one-time password on a first start):
      --log-level LEVEL  error, warn, info (default) or debug (debug adds one line per call)
      --log-format FMT   text (default) or json (one JSON object per line)

    environment:
      PORTAL_ADMIN_PASSWORD   the bootstrap admin's password on first start (otherwise a random
                              one-time password is printed once)
    """
}
