// portal-load: a load tester for the CitizenPortal server over its binary RPC protocol.
// See clients/portal-load/README.md and `portal-load --help`.
import Dispatch
import PortalLoadCore
#if canImport(Glibc)
import Glibc
#endif

func printError(_ s: String) { writeLine(s, to: 2) }

let options: LoadOptions
do {
    guard let parsed = try LoadOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: LoadOptions.processEnvironment) else {
        writeLine(LoadOptions.usage)
        exit(0)
    }
    options = parsed
} catch {
    printError("portal-load: \(error)")
    printError("(portal-load --help for usage)")
    exit(2)
}

let target: TargetResolution.Resolved
do {
    target = try TargetResolution.check(options.target, allowRemote: options.allowRemote)
} catch {
    printError("portal-load: \(error)")
    exit(2)
}

// With --json, stdout carries only the report.
let toStdout = !options.json
let log: @Sendable (String) -> Void = { line in
    writeLine(line, to: toStdout ? 1 : 2)
}
if !target.allLoopback {
    log("portal-load: WARNING: \(options.target) is not loopback (\(target.addresses.joined(separator: ", "))); --allow-remote given")
}

let runner = LoadRunner(options: options, target: target, log: log, progress: log)

// Ctrl-C / SIGTERM: stop sending, drain, report. A second one exits at once.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let signalCount = Counter()
let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
for source in sources {
    source.setEventHandler {
        if signalCount.increment() > 1 { exit(130) }
        writeLine("portal-load: stopping (again to quit at once)", to: 2)
        runner.requestStop()
    }
    source.resume()
}

do {
    let report = try await runner.run()
    if options.json {
        writeLine(report.json.render())
    } else {
        writeLine(report.text)
    }
    if options.smoke {
        let problems = report.smokeProblems
        if problems.isEmpty {
            log("smoke: PASS")
        } else {
            for p in problems { log("smoke: FAIL: \(p)") }
            exit(1)
        }
    }
    exit(0)
} catch {
    printError("portal-load: \(error)")
    exit(1)
}
