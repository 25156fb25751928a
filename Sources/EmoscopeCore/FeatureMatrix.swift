/// A row-major matrix of frame features: one row per frame, `featureCount` values each.
public struct FeatureMatrix: Equatable, Sendable {
    /// Number of frames (rows).
    public private(set) var frameCount: Int
    /// Values per frame (columns).
    public let featureCount: Int
    /// `frameCount × featureCount` values, frame after frame.
    public var values: [Float]

    /// A zero matrix.
    public init(frameCount: Int, featureCount: Int) {
        self.frameCount = frameCount
        self.featureCount = featureCount
        self.values = [Float](repeating: 0, count: frameCount * featureCount)
    }

    /// Wraps existing values; `values.count` must be `frameCount × featureCount`.
    public init(frameCount: Int, featureCount: Int, values: [Float]) {
        precondition(values.count == frameCount * featureCount, "FeatureMatrix: wrong value count")
        self.frameCount = frameCount
        self.featureCount = featureCount
        self.values = values
    }

    /// The value of `feature` in `frame`.
    public subscript(frame: Int, feature: Int) -> Float {
        get { values[frame * featureCount + feature] }
        set { values[frame * featureCount + feature] = newValue }
    }

    /// Changes the number of frames, keeping capacity so that reuse does not allocate.
    public mutating func resize(frameCount newCount: Int) {
        let needed = newCount * featureCount
        if values.count < needed {
            values.append(contentsOf: repeatElement(0, count: needed - values.count))
        } else if values.count > needed {
            values.removeLast(values.count - needed)
        }
        frameCount = newCount
    }

    /// The values of one feature across all frames.
    public func column(_ feature: Int) -> [Float] {
        (0..<frameCount).map { self[$0, feature] }
    }
}
