// The types of Tests/Conformance/protos (TestAllTypesProto3 and the well-known types it uses),
// generated at build time by CitizenPortal's PortalCodegenPlugin (see portal-codegen.json).
@_exported import PortalWire
