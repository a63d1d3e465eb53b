import ArgumentParser

/// The `portico` executable: parses arguments into a `Configuration` and hands it to
/// `PorticoController`. It holds no logic of its own.
@main
struct Portico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico",
        abstract: "A Kubernetes ingress controller: routes HTTP traffic to Services as Ingress resources describe.",
        discussion: """
            Local mode reads Ingresses, Services and EndpointSlices from a folder of manifests and \
            watches it for changes; no cluster is needed:

              portico run --manifests examples/quickstart
              portico check examples/quickstart     # report problems, like nginx -t
              portico routes examples/quickstart    # show the compiled routing table
            """,
        subcommands: [Run.self, Check.self, Routes.self],
        defaultSubcommand: Run.self
    )
}
