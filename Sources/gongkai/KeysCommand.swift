// `gongkai keys generate` and `gongkai keys show`: CURVE key pairs for the coordinator and remote
// workers (docs/cluster.md, "Remote workers").

import ArgumentParser
import Foundation
import GongkaiCluster

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make and inspect the CURVE keys that authenticate and encrypt tcp:// connections.",
        discussion: """
            A key pair is two files of ZeroMQ Z85 text, one line each: NAME.key (the secret key, mode 0600; \
            never copy it off its host) and NAME.pub (the public key). The coordinator runs with --server-key \
            its .key and --authorized-keys a file or directory of the workers' .pub; each worker runs with \
            --key its own .key and --server-key the coordinator's .pub.
            """,
        subcommands: [Generate.self, Show.self]
    )
}

extension Keys {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new CURVE key pair as NAME.key (secret, mode 0600) and NAME.pub (public).",
            discussion: "Existing files are never overwritten without --force. Prints the two paths and the public key."
        )

        @Option(name: .long, help: "The directory to write the key files in (created with mode 0700 if missing).")
        var out: String

        @Option(name: .long, help: "The files' base name: letters, digits, '.', '_', '-' (default: this host's name).")
        var name: String?

        @Flag(name: .long, help: "Replace existing NAME.key and NAME.pub.")
        var force = false

        func run() throws {
            let base = name ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "gongkai"
            do {
                let pair = try CurveKeyPair.generate()
                let paths = try CurveKeyFile.write(pair, directory: out, name: base, force: force)
                FileOutput.stdout.write("secret key: \(paths.secret)\npublic key: \(paths.public)\n\(pair.publicKey.z85)\n")
            } catch {
                FileOutput.stderr.write("gongkai keys generate: \(error)\n")
                throw ExitCode(1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key of a secret key file (or of a public key file), as one Z85 line.",
            discussion: "Use it to recreate a lost NAME.pub, or to check which key a host holds: `gongkai keys show /etc/gongkai/keys/worker1.key`."
        )

        @Argument(help: "A NAME.key or NAME.pub file.")
        var file: String

        func run() throws {
            do {
                let key = file.hasSuffix(".pub") ? try CurveKeyFile.readPublic(file) : try CurveKeyFile.readSecret(file).publicKey
                FileOutput.stdout.write(key.z85 + "\n")
            } catch {
                FileOutput.stderr.write("gongkai keys show: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}
