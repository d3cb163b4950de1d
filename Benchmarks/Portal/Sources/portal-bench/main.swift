// portal-bench: issue 4's targets on a generated store (see ../../README.md and
// docs/PERFORMANCE-PORTAL.md).
//
//   portal-bench generate --data DIR [--complaints 1000000] [--citizens 200000] [--days 400] [--seed 2026]
//   portal-bench check --data DIR [--quick]
//   portal-bench serve --data DIR [--sync normal|full] [--port P] [--stats-ms 250]
//       [--experiment-checkpointer] [--experiment-writer-cache-mib N] [--experiment-writer-pragma SQL]
//   portal-bench dashboard --data DIR [--port P] [--calls 50] [--warmup 3]
//   portal-bench get --data DIR [--port P] [--calls 20000] [--callers 4] [--connections 1]
//   portal-bench file --data DIR [--port P] [--seconds 10] [--connections 8] [--inflight 32] [--sync normal|full]
//   portal-bench direct --data DIR [--seconds 10] [--inflight 256] [--sync normal|full]
//   portal-bench raw --data DIR [--seconds 10] [--batch 1] [--sync normal|full]
//   portal-bench explain --data DIR [--runs 5] [--only NAME] [--pragma SQL] [--setup SQL --scratch-copy]
//
// Without --port a client subcommand starts the portal in this process; with --port it talks
// to a `portal-bench serve` process (and --server-log FILE lets it read that server's STORE
// lines for batch sizes and server CPU). Every result is one `RESULT ...` line. The
// --experiment-* flags change the writer connection (through Store.write) to try fixes without
// touching Sources/; results taken with them are experiments, never the product's figures.
#if canImport(Glibc)
import Glibc
#endif

let options = Options()
switch options.command {
case "generate": runDetached { try await generate(options) }
case "check": runDetached { try check(options) }
case "serve": runDetached { try await serve(options) }
case "dashboard": runDetached { try await dashboardBench(options) }
case "get": runDetached { try await getBench(options) }
case "file": runDetached { try await fileBench(options) }
case "direct": runDetached { try await directBench(options) }
case "raw": runDetached { try rawBench(options) }
case "explain": runDetached { try explain(options) }
default:
    say("usage: portal-bench generate|check|serve|dashboard|get|file|direct|raw|explain --data DIR [options] (see main.swift)")
    exit(2)
}
