import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

@Suite("weight averaging")
struct WeightAverageTests {
    @Test func theFirstUpdatesRampTheDecayUp() {
        var average = WeightAverage(decay: 0.99, initial: ["w": [0, 10]])
        average.update(with: ["w": [1, 0]])  // decay min(0.99, 1/10) = 0.1
        #expect(average.tensors.tensors["w"] == [0.9, 1])
        average.update(with: ["w": [2, 0]])  // decay 2/11
        let d: Float = 2.0 / 11.0
        #expect(average.tensors.tensors["w"] == [d * 0.9 + (1 - d) * 2, d * 1 + (1 - d) * 0])
        #expect(average.updates == 2)
    }

    @Test func aSteadyNetworkIsItsOwnAverage() {
        var average = WeightAverage(decay: 0.9, initial: ["w": [5], "b": [-1]])
        for _ in 0..<300 { average.update(with: ["w": [2], "b": [3]]) }
        #expect(abs(average.tensors.tensors["w"]![0] - 2) < 1e-4)
        #expect(abs(average.tensors.tensors["b"]![0] - 3) < 1e-4)
    }

    @Test func aTensorTheAverageHasNotSeenIsTakenAsIs() {
        var average = WeightAverage(decay: 0.9, initial: ["w": [1]])
        average.update(with: ["w": [1], "new": [4, 4]])
        #expect(average.tensors.tensors["new"] == [4, 4])
    }

    @Test func itSurvivesACheckpoint() throws {
        var average = WeightAverage(decay: 0.995, initial: ["w": [0.25, -3]])
        average.update(with: ["w": [1, 2]])
        let decoded = try JSONDecoder().decode(WeightAverage.self, from: JSONEncoder().encode(average))
        #expect(decoded == average)
    }
}
