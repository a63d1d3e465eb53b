import ArgumentParser
import PorticoController
import PorticoRouting

struct Routes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the routing table a folder of manifests compiles to: host, path, match, backend, endpoints."
    )

    @Argument(help: "The manifest folder.")
    var directory: String

    @OptionGroup var routing: RoutingOptions

    @OptionGroup var settings: ConfigMapOption

    mutating func run() async throws {
        var options = try routing.translationOptions()
        options.controllerConfigMap = try settings.name()
        let check = try ManifestCheck.run(directory: directory, options: options)
        print(RouteListing.render(check.table), terminator: "")
        if check.errorCount + check.warningCount > 0 {
            print("\n\(check.errorCount) errors, \(check.warningCount) warnings: run `portico check \(directory)` for details.")
        }
    }
}
