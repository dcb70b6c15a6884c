// `postgres://user:password@host:port/database?sslmode=…` → a postgres-nio connection configuration.

import Foundation
import GongkaiStore
import PostgresNIO

/// Reads the connection URLs `--store` accepts, in the libpq form most tools print.
enum PostgresURL {
    /// The query parameters understood; any other is an error rather than silently ignored.
    static let parameters = ["sslmode", "host", "application_name", "connect_timeout"]

    /// The connection settings for `url`.
    ///
    /// - `postgres://` or `postgresql://`; user and password percent-decoded; host default
    ///   `localhost`, port 5432, database default the user name; user default `$PGUSER`, else
    ///   `postgres`; password default `$PGPASSWORD`.
    /// - `?host=/run/postgresql` connects through the Unix socket in that directory.
    /// - `?sslmode=`: `disable` or `allow` (no TLS), `prefer` (the default: TLS if the server
    ///   offers it, unverified), `require` (TLS, unverified), `verify-ca`, `verify-full`.
    /// - `readOnly`: the session starts with `default_transaction_read_only = on`.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/invalidLocation`` naming what is wrong.
    static func configuration(_ url: String, readOnly: Bool) throws -> PostgresConnection.Configuration {
        func invalid(_ why: String) -> StoreError {
            StoreError(.invalidLocation, "\(StoreLocation.postgres(url: url)): \(why)")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw invalid("not a URL of the form postgres://user:password@host:port/database")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard parameters.contains(item.name) else {
                throw invalid("unknown parameter \(item.name) (known: \(parameters.joined(separator: ", ")))")
            }
            query[item.name] = item.value ?? ""
        }
        let environment = ProcessInfo.processInfo.environment
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGUSER"] ?? "postgres"
        let password = components.password ?? environment["PGPASSWORD"]
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        if path.contains("/") { throw invalid("the path must be just the database name") }
        let database = path.isEmpty ? user : path
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }

        var configuration: PostgresConnection.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            let host = query["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            configuration = .init(
                host: host, port: port, username: user, password: password, database: database,
                tls: try tls(query["sslmode"] ?? "prefer", invalid: invalid))
        }
        if let timeout = query["connect_timeout"] {
            guard let seconds = Int64(timeout), seconds > 0 else {
                throw invalid("connect_timeout must be a positive number of seconds")
            }
            configuration.options.connectTimeout = .seconds(seconds)
        }
        var startup = [("application_name", query["application_name"] ?? "gongkai")]
        if readOnly { startup.append(("default_transaction_read_only", "on")) }
        configuration.options.additionalStartupParameters = startup
        return configuration
    }

    private static func tls(
        _ mode: String, invalid: (String) -> StoreError
    ) throws -> PostgresConnection.Configuration.TLS {
        var settings = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case "disable", "allow":
            return .disable
        case "prefer", "require":
            settings.certificateVerification = .none
        case "verify-ca":
            settings.certificateVerification = .noHostnameVerification
        case "verify-full":
            settings.certificateVerification = .fullVerification
        default:
            throw invalid("sslmode \(mode) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: settings)
        } catch {
            throw invalid("cannot set up TLS: \(error)")
        }
        return mode == "prefer" ? .prefer(context) : .require(context)
    }
}
