#if canImport(Glibc)
import Glibc
#endif

// portal-client: the Linux test client of CitizenPortal. `portal-client --help` lists the
// commands; `portal-client COMMAND --help` explains one.

let status = await PortalClient.main(Array(CommandLine.arguments.dropFirst())) { name in
    getenv(name).map { String(cString: $0) }
}
exit(status)
