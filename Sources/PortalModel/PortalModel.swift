// PortalModel: the Swift types generated from Schema/ (and the well-known types it may
// import) at build time by PortalCodegenPlugin. Server and clients share this one module.
//
// Importing PortalModel also imports the wire runtime the generated code is written against.
@_exported import PortalWire
