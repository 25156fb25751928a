import Foundation

/// Vectorisable elementary functions for the feature hot path.
public enum FastMath {
    /// `10 · log10(max(1e-10, x))` in place, accurate to 1e-5 dB.
    ///
    /// libm's `log10f` is called once per value and does not vectorise; this splits each value
    /// into exponent and mantissa m ∈ [√½, √2), then uses log(m) = 2·atanh(t), t = (m−1)/(m+1)
    /// with |t| ≤ 0.172, whose odd series to t⁹ is exact to float precision.
    public static func decibelsFromPower(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let tenOverLog2Of10: Float = 3.010_299_956_639_812  // 10 · log10(2)
        let twoOverLn2: Float = 2.885_390_081_777_927       // 2 / ln(2)
        for i in 0..<count {
            let x = max(values[i], 1e-10)
            let bits = x.bitPattern
            // Exponent and mantissa in [1, 2); fold mantissas above √2 into [√½, 1).
            var exponent = Int32(bitPattern: (bits >> 23) & 0xFF) - 127
            var mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
            let fold = mantissa > 1.414_213_5
            mantissa = fold ? mantissa * 0.5 : mantissa
            exponent += fold ? 1 : 0
            let t = (mantissa - 1) / (mantissa + 1)
            let t2 = t * t
            let series = t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9)))))
            values[i] = tenOverLog2Of10 * (Float(exponent) + twoOverLn2 * series)
        }
    }

    /// Sum of the squares of `count` values, sixteen lanes at a time.
    public static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(values)
        var lanes = SIMD16<Float>()
        var index = 0
        while index + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: index * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
            lanes += v * v
            index += 16
        }
        var sum = lanes.sum()
        while index < count {
            sum += values[index] * values[index]
            index += 1
        }
        return sum
    }
}

extension Array where Element == Float {
    /// Scales the samples in place by a gain of `decibels` (amplitude × 10^(dB/20)); 0 dB changes nothing.
    public mutating func applyGain(decibels: Double) {
        let factor = Float(pow(10, decibels / 20))
        guard factor != 1 else { return }
        for i in indices { self[i] *= factor }
    }
}
