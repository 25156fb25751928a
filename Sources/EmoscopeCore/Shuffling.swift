
extension SeededGenerator {
    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, no modulo bias); `bound` > 0.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range  // 2^64 mod range: low parts below it are rejected
        while true {
            let (high, low) = next().multipliedFullWidth(by: range)
            if low >= threshold { return Int(high) }
        }
    }

    /// `0..<count` in a random order (a seeded Fisher–Yates shuffle): each example's partner
    /// for mixup or MixStyle.
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        order.seededShuffle(using: &self)
        return order
    }
}

extension Array {
    /// Fisher–Yates shuffle driven by `generator` only, so a seed gives the same order on every platform
    /// and standard-library version (unlike `shuffle(using:)`, whose algorithm is not specified).
    public mutating func seededShuffle(using generator: inout SeededGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            swapAt(i, generator.nextIndex(below: i + 1))
        }
    }
}
