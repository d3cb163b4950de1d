// Importing PortalRPC gives the generated model and the wire runtime too.
@_exported import PortalModel
