// PorticoManifests: being written; see docs/architecture.md.
