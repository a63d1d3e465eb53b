import ArgumentParser
import PorticoController
import PorticoRouting

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a folder of manifests and report every problem with its file and line.",
        discussion: "Exits 1 when there is an error (a skipped object or path), 0 when there are only warnings or none, like nginx -t."
    )

    @Argument(help: "The manifest folder.")
    var directory: String

    @OptionGroup var routing: RoutingOptions

    @OptionGroup var settings: ConfigMapOption

    mutating func run() async throws {
        var options = try routing.translationOptions()
        options.controllerConfigMap = try settings.name()
        let check = try ManifestCheck.run(directory: directory, options: options)
        for problem in check.problems { print(problem) }
        print("\(directory): \(check.objectCount) objects, \(check.errorCount) errors, \(check.warningCount) warnings")
        if check.errorCount > 0 { throw ExitCode(1) }
    }
}
