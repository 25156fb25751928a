import EmoscopeCore
import EmoscopeTraining
import Foundation
import Testing

/// MixStyle: row (band or channel) statistics moved, the pattern within each row kept.
@Suite("MixStyle")
struct MixStyleTests {
    let bands = 4

    /// A band-major input whose bands have different levels, spreads and shapes.
    func input(width: Int, offset: Float) -> [Float] {
        var values: [Float] = []
        for band in 0..<bands {
            let level = offset + Float(band) * 2, spread = Float(band + 1)
            for frame in 0..<width { values.append(level + spread * sin(Float(frame) * 0.7 + Float(band))) }
        }
        return values
    }

    /// Each band standardised by its own mean and deviation.
    func pattern(_ x: [Float], width: Int) -> [Float] {
        let s = MixStyle.RowStatistics(x, rows: bands, length: width)
        return x.indices.map { (x[$0] - s.means[$0 / width]) / s.deviations[$0 / width] }
    }

    @Test func statisticsOfABand() {
        // Band 0: 1, 3 (mean 2, deviation 1); band 1: constant 5 (deviation floored at 1e-3).
        let s = MixStyle.RowStatistics([1, 3, 5, 5], rows: 2, length: 2)
        #expect(s.means == [2, 5] && s.deviations == [1, 1e-3])
    }

    /// Restyling lands exactly on the target statistics and keeps the standardised pattern.
    @Test func restyledTakesTheTargetStatistics() {
        let x = input(width: 50, offset: 0), donor = input(width: 30, offset: -3).map { $0 * 0.5 }
        let target = MixStyle.RowStatistics(donor, rows: bands, length: 30)
        let (y, scales) = MixStyle.restyled(x, rows: bands, length: 50, to: target)
        let got = MixStyle.RowStatistics(y, rows: bands, length: 50)
        let own = MixStyle.RowStatistics(x, rows: bands, length: 50)
        #expect(scales == (0..<bands).map { target.deviations[$0] / own.deviations[$0] })
        for band in 0..<bands {
            #expect(abs(got.means[band] - target.means[band]) < 1e-4)
            #expect(abs(got.deviations[band] - target.deviations[band]) < 1e-4)
        }
        #expect(zip(pattern(y, width: 50), pattern(x, width: 50)).allSatisfy { abs($0 - $1) < 1e-3 })
        #expect(y != x)
    }

    /// In a batch, every restyled example's band statistics are a blend of its own and its
    /// partner's, its pattern stays, probability 0 changes nothing, and a seed fixes the draw.
    @Test func mixBlendsWithinTheBatch() {
        let widths = [40, 25, 33]
        let batch = widths.enumerated().map { input(width: $1, offset: Float($0) * 4) }
        var generator = SeededGenerator(seed: 7)
        #expect(MixStyle.mix(batch, rows: bands, lengths: widths, partners: [1, 2, 0], probability: 0, generator: &generator).values == batch)
        var changed = 0
        for seed in 0..<20 as Range<UInt64> {
            var first = SeededGenerator(seed: seed), second = SeededGenerator(seed: seed)
            let partners = MixStyle.partners(count: 3, generator: &first)
            #expect(partners.sorted() == [0, 1, 2] && partners == MixStyle.partners(count: 3, generator: &second))
            let mixed = MixStyle.mix(batch, rows: bands, lengths: widths, partners: partners, probability: 1, generator: &first).values
            #expect(mixed == MixStyle.mix(batch, rows: bands, lengths: widths, partners: partners, probability: 1, generator: &second).values)
            let all = batch.indices.map { MixStyle.RowStatistics(batch[$0], rows: bands, length: widths[$0]) }
            for i in batch.indices where mixed[i] != batch[i] {
                changed += 1
                #expect(mixed[i].count == batch[i].count)
                #expect(zip(pattern(mixed[i], width: widths[i]), pattern(batch[i], width: widths[i])).allSatisfy { abs($0 - $1) < 1e-3 })
                // One weight λ ∈ [0, 1] explains every band's mean and deviation by its partner's.
                let got = MixStyle.RowStatistics(mixed[i], rows: bands, length: widths[i])
                let j = partners[i]
                #expect(j != i)
                let lambda = (got.means[0] - all[j].means[0]) / (all[i].means[0] - all[j].means[0])
                #expect(lambda >= -1e-3 && lambda <= 1 + 1e-3)
                for band in 0..<bands {
                    #expect(abs(got.means[band] - (lambda * all[i].means[band] + (1 - lambda) * all[j].means[band])) < 1e-3)
                    #expect(abs(got.deviations[band] - (lambda * all[i].deviations[band] + (1 - lambda) * all[j].deviations[band])) < 1e-3)
                }
            }
        }
        #expect(changed >= 20, "with probability 1 most examples move (a permutation may leave one in place)")
    }

    /// Same-label partners come from another speaker with that label; an example with none is
    /// its own partner.
    @Test func sameLabelPartnersHaveAnotherSpeaker() {
        let labels = [0, 0, 1, 1, 1, 2, 0], speakers = ["a", "b", "a", "a", "c", "a", "b"]
        var seen: Set<[Int]> = []
        for seed in 0..<30 as Range<UInt64> {
            var generator = SeededGenerator(seed: seed)
            let partners = MixStyle.partners(labels: labels, speakers: speakers, generator: &generator)
            for i in labels.indices where i != 5 {
                #expect(labels[partners[i]] == labels[i] && speakers[partners[i]] != speakers[i], "\(i) → \(partners[i])")
            }
            #expect(partners[5] == 5 && partners[2] == 4 && partners[3] == 4 && partners[1] == 0 && partners[6] == 0)
            seen.insert(partners)
        }
        #expect(seen.count == 4, "example 0 draws between 1 and 6, example 4 between 2 and 3")
    }
}
