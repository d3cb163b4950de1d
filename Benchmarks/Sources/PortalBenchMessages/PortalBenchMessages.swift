// The messages of this module are generated at build time by PortalCodegenPlugin from the
// .proto files listed in portal-codegen.json (TestAllTypesProto3 and the well-known types),
// the same sources the conformance testee uses.
@_exported import PortalWire
