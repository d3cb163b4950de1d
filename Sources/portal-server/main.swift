import PortalModel

// Placeholder until the RPC runtime (issue 3) and the portal core (issue 4) land: the server
// binary exists so the README's command works, and it reports what the schema defines.
print("portal-server: placeholder — the RPC server arrives with the RPC runtime issue.")
print("Schema compiled into PortalModel: \(PortalSchema.messageTypes.count) message types, \(PortalSchema.services.count) services:")
for service in PortalSchema.services {
    print("  \(service.fullName): \(service.methods.map(\.method).joined(separator: ", "))")
}
