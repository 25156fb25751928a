import Foundation

/// Hz ↔ mel conversion on the Slaney scale (librosa's default, `htk=False`): linear below
/// 1 kHz, logarithmic above.
public enum MelScale {
    static let linearStep = 200.0 / 3.0
    static let breakFrequency = 1_000.0
    static let breakMel = breakFrequency / linearStep
    static let logStep = log(6.4) / 27.0

    /// Mel value of a frequency in Hz.
    public static func mel(fromHz hz: Double) -> Double {
        hz >= breakFrequency ? breakMel + log(hz / breakFrequency) / logStep : hz / linearStep
    }

    /// Frequency in Hz of a mel value.
    public static func hz(fromMel mel: Double) -> Double {
        mel >= breakMel ? breakFrequency * exp(logStep * (mel - breakMel)) : mel * linearStep
    }
}

/// Triangular mel filters with Slaney area normalisation, stored sparsely (each band keeps
/// only the bins where its weight is non-zero).
public struct MelFilterbank: Sendable {
    /// One band: its first bin and its weights over consecutive bins.
    public struct Band: Sendable {
        /// Index of the first bin with a non-zero weight.
        public let firstBin: Int
        /// Weights of bins `firstBin ..< firstBin + weights.count`.
        public let weights: [Float]
    }

    /// The bands, lowest first.
    public let bands: [Band]
    /// Number of spectrum bins the filters apply to.
    public let binCount: Int
    /// Adjacent triangles overlap by half, so every bin feeds at most two bands: the one whose
    /// rising edge it is on (`risingBand`) and the one before it. Per bin, with bands shifted
    /// by one so that "no band" lands in a scratch slot (index 0 or `bands.count + 1`).
    let risingBand: [Int32]
    let risingWeight: [Float]
    let fallingWeight: [Float]

    /// Builds the filters exactly as `librosa.filters.mel(norm="slaney", htk=False)`.
    public init(sampleRate: Int, fftSize: Int, bandCount: Int, minFrequency: Double, maxFrequency: Double) {
        binCount = fftSize / 2 + 1
        let binFrequencies = (0..<binCount).map { Double($0) * Double(sampleRate) / Double(fftSize) }
        let minMel = MelScale.mel(fromHz: minFrequency)
        let maxMel = MelScale.mel(fromHz: maxFrequency)
        let edges = (0..<(bandCount + 2)).map { i in
            MelScale.hz(fromMel: minMel + (maxMel - minMel) * Double(i) / Double(bandCount + 1))
        }
        var bands: [Band] = []
        bands.reserveCapacity(bandCount)
        for band in 0..<bandCount {
            let (lower, center, upper) = (edges[band], edges[band + 1], edges[band + 2])
            let areaNorm = 2.0 / (upper - lower)
            var dense = binFrequencies.map { f -> Double in
                let rising = (f - lower) / (center - lower)
                let falling = (upper - f) / (upper - center)
                return max(0, min(rising, falling)) * areaNorm
            }
            let first = dense.firstIndex { $0 > 0 } ?? 0
            let last = dense.lastIndex { $0 > 0 } ?? -1
            dense = last >= first ? Array(dense[first...last]) : []
            bands.append(Band(firstBin: first, weights: dense.map { Float($0) }))
        }
        self.bands = bands
        var rising = [Int32](repeating: Int32(bandCount + 1), count: binCount)
        var risingW = [Float](repeating: 0, count: binCount), fallingW = risingW
        for (index, band) in bands.enumerated() {
            for (offset, weight) in band.weights.enumerated() {
                let bin = band.firstBin + offset
                if binFrequencies[bin] < edges[index + 1] {
                    rising[bin] = Int32(index + 1)
                    risingW[bin] = weight
                } else {
                    // On band `index`'s falling edge, so on band `index + 1`'s rising edge.
                    rising[bin] = Int32(index + 2)
                    fallingW[bin] = weight
                }
            }
        }
        risingBand = rising
        risingWeight = risingW
        fallingWeight = fallingW
    }

    /// `mel[b] = Σ_bins weight[b][bin] · power[bin]` for every band; `scratch` holds
    /// `bands.count + 2` values.
    @inline(__always)
    func apply(power: UnsafePointer<Float>, to mel: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let bandCount = bands.count
        scratch.initialize(repeating: 0, count: bandCount + 2)
        risingBand.withUnsafeBufferPointer { band in
            risingWeight.withUnsafeBufferPointer { up in
                fallingWeight.withUnsafeBufferPointer { down in
                    for bin in 0..<binCount {
                        let k = Int(band[bin]), p = power[bin]
                        scratch[k] += up[bin] * p
                        scratch[k - 1] += down[bin] * p
                    }
                }
            }
        }
        mel.update(from: scratch + 1, count: bandCount)
    }

    /// The filters as a dense `bands × bins` row-major matrix (for tests and inspection).
    public func denseWeights() -> [Float] {
        var matrix = [Float](repeating: 0, count: bands.count * binCount)
        for (row, band) in bands.enumerated() {
            for (offset, weight) in band.weights.enumerated() {
                matrix[row * binCount + band.firstBin + offset] = weight
            }
        }
        return matrix
    }
}
