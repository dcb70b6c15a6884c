import ArgumentParser
import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

@main
struct Main {
    static func main() async {
        do {
            var command = try Gongkai.parseAsRoot(LongArgumentLists.split(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Output.flush()
        } catch {
            Output.flush()
            // Usage errors exit 2 (as grep and diff do); everything else keeps ArgumentParser's code.
            let code = Gongkai.exitCode(for: error)
            if code == .validationFailure || (error as? CleanExit) == nil && code.rawValue == 64 {
                let message = Gongkai.fullMessage(for: error)
                FileOutput.stderr.write(message + "\n")
                FileOutput.stderr.flush()
                exit(2)
            }
            Gongkai.exit(withError: error)
        }
    }
}

struct Gongkai: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gongkai",
        abstract: "政府信息公开工作年度报告 批量读取与核对 — read Chinese government information-disclosure annual reports in bulk, check that their tables add up, and keep the results.",
        subcommands: [
            Parse.self, Validate.self, Corpus.self, Bench.self, Serve.self, WorkerCommand.self,
            Submit.self, Status.self, Results.self, Summary.self, Shutdown.self, Keys.self,
        ]
    )
}
