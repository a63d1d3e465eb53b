// PorticoRouting: being written; see docs/architecture.md.
