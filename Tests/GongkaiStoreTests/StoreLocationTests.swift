import GongkaiPostgres
import GongkaiStore
import XCTest

/// `--store` values: which backend, which URLs, and what an unreachable server does. No server needed.
final class StoreLocationTests: XCTestCase {
    func testStoreLocationsAreClassifiedByScheme() {
        XCTAssertEqual(StoreLocation("postgres://u:p@h/db"), .postgres(url: "postgres://u:p@h/db"))
        XCTAssertEqual(StoreLocation("PostgreSQL://h/db"), .postgres(url: "PostgreSQL://h/db"))
        XCTAssertEqual(StoreLocation("/var/lib/gongkai.sqlite"), .sqlite(path: "/var/lib/gongkai.sqlite"))
        XCTAssertEqual(StoreLocation("postgres.sqlite"), .sqlite(path: "postgres.sqlite"))
        XCTAssertEqual(StoreLocation("postgres://gk:s3cret@h:5432/db").description, "postgres://gk:***@h:5432/db")
        XCTAssertEqual(StoreLocation("postgres://gk@h/db").description, "postgres://gk@h/db")
    }

    func testMalformedURLsAreRejectedWithTheReason() {
        for (url, reason) in [
            ("postgres://h/db?sslmode=sometimes", "sslmode"),
            ("postgres://h/db?search_path=x", "unknown parameter search_path"),
            ("postgres://h/a/b", "just the database name"),
            ("postgres://h/db?connect_timeout=soon", "connect_timeout"),
        ] {
            XCTAssertThrowsError(try PostgresStore(url: url), url) { error in
                XCTAssertEqual((error as? StoreError)?.code, .invalidLocation, url)
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
        }
    }

    func testAServerThatCannotBeReachedIsARetryableError() {
        // Port 1 on the loopback refuses at once.
        XCTAssertThrowsError(try PostgresStore(url: "postgres://gongkai@127.0.0.1:1/gongkai?sslmode=disable")) { error in
            XCTAssertEqual((error as? StoreError)?.code, .unavailable, "\(error)")
            XCTAssertTrue(StoreError.isRetryable(error))
        }
    }
}
