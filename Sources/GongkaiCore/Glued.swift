// Rows whose cells lost their separators (text copied from web pages): `801000081` is 80,1,0,0,0,0,81.
// The row's own sums pick the split: in a table-3 row the last number is the total of the six before it;
// in table 4 every fifth number is the total of the four before it. A split is accepted only when it is the
// only one that balances; otherwise the row is reported as ambiguous and its cells stay blank.

public enum GluedDigits {
    /// The shape of a glued row: numbers in groups, each group's last number the sum of the others.
    public struct Shape: Sendable, Hashable {
        public var groups: Int
        public var groupSize: Int
        public static let table3Row = Shape(groups: 1, groupSize: 7)
        public static let table4Row = Shape(groups: 3, groupSize: 5)
        public var count: Int { groups * groupSize }
    }

    public enum Outcome: Sendable, Hashable {
        /// Exactly one split balances.
        case unique([Int64])
        /// More than one split balances (the first two are given).
        case ambiguous([[Int64]])
        /// No split balances (the row does not add up, or it is not a glued row).
        case none
    }

    /// Splits a run of ASCII digits into `shape.count` numbers without leading zeros (a lone `0` is fine),
    /// keeping only splits in which every group's last number is the sum of the rest of the group.
    public static func split(_ digits: [UInt8], shape: Shape) -> Outcome {
        let n = shape.count
        guard digits.count >= n, digits.count <= n * 12, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .none }
        var found: [[Int64]] = []
        var current: [Int64] = []
        current.reserveCapacity(n)

        func search(_ position: Int) {
            if found.count >= 2 { return }
            let index = current.count
            if index == n {
                if position == digits.count { found.append(current) }
                return
            }
            let remainingNumbers = n - index
            let remainingDigits = digits.count - position
            // Each remaining number needs at least one digit and at most 12.
            if remainingDigits < remainingNumbers || remainingDigits > remainingNumbers * 12 { return }
            let isTotal = (index + 1) % shape.groupSize == 0
            if isTotal {
                // The total is determined: it must be the sum of the group so far, written here.
                let groupStart = index - (shape.groupSize - 1)
                let sum = current[groupStart..<index].reduce(0, +)
                let text = Array(String(sum).utf8)
                guard position + text.count <= digits.count, Array(digits[position..<(position + text.count)]) == text else { return }
                current.append(sum)
                search(position + text.count)
                current.removeLast()
                return
            }
            if digits[position] == 0x30 {
                current.append(0)
                search(position + 1)
                current.removeLast()
                return
            }
            var value: Int64 = 0
            var end = position
            while end < digits.count && end - position < 12 {
                value = value * 10 + Int64(digits[end] - 0x30)
                end += 1
                current.append(value)
                search(end)
                current.removeLast()
                if found.count >= 2 { return }
            }
        }
        search(0)
        switch found.count {
        case 0: return .none
        case 1: return .unique(found[0])
        default: return .ambiguous(found)
        }
    }

    /// Writes numbers glued together, as a web page copy does.
    public static func glue(_ values: [Int64]) -> String { values.map(String.init).joined() }
}
