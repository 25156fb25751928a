import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing
import EmoscopeTUI

@Suite struct PreviewTests {
    let labels = ModelHeader.ravdessLabels

    /// A real classification of a 7.5 s speech-like clip (several windows).
    func data() throws -> ClipPreviewData {
        let samples = Signals.speechLike(frequency: 200, seconds: 7.5)
        let classification = try EmotionClassifier(model: TestModels.compact(seed: 2)).classify(samples)
        return ClipPreviewData(envelope: WaveformEnvelope(samples: samples, columns: 256), duration: 7.5, classification: classification)
    }

    @Test func showingLoadsAndOnlyTheCurrentClipCounts() throws {
        var state = ClipPreviewState()
        #expect(state.handle(.show(path: "/a.wav")) == [.load(path: "/a.wav")])
        #expect(state.phase == .loading)
        #expect(state.handle(.show(path: "/a.wav")).isEmpty, "same clip: nothing to do")
        _ = state.handle(.show(path: "/b.wav"))
        _ = state.handle(.loaded(path: "/a.wav", try data()))
        #expect(state.phase == .loading, "a late result for the previous clip is dropped")
        _ = state.handle(.loadFailed(path: "/b.wav", reason: "empty: it holds no audio"))
        #expect(state.phase == .failed(reason: "empty: it holds no audio"))
        #expect(state.handle(.togglePlayback).isEmpty && !state.isPlaying, "nothing to play")
        #expect(state.handle(.show(path: nil)).isEmpty && state.phase == .empty)
    }

    @Test func playbackStartsWhenReadyFollowsThePositionAndStops() throws {
        var state = ClipPreviewState()
        _ = state.handle(.show(path: "/a.wav"))
        #expect(state.handle(.togglePlayback).isEmpty && state.playback == .starting, "asked while loading")
        #expect(state.handle(.loaded(path: "/a.wav", try data())) == [.play])
        _ = state.handle(.playbackStarted)
        _ = state.handle(.playbackPosition(2.5))
        #expect(state.playback == .playing(position: 2.5))
        _ = state.handle(.playbackEnded)
        #expect(state.playback == .stopped)
        #expect(state.handle(.togglePlayback) == [.play])
        _ = state.handle(.playbackStarted)
        #expect(state.handle(.togglePlayback) == [.stop] && !state.isPlaying)
        _ = state.handle(.togglePlayback)
        _ = state.handle(.playbackStarted)
        #expect(state.handle(.show(path: "/b.wav")) == [.stop, .load(path: "/b.wav")], "another clip stops the sound")
    }

    @Test func noOutputDeviceIsAMessage() throws {
        var state = ClipPreviewState()
        _ = state.handle(.show(path: "/a.wav"))
        _ = state.handle(.loaded(path: "/a.wav", try data()))
        _ = state.handle(.togglePlayback)
        _ = state.handle(.playbackFailed(message: "no sound card found", hint: "plug in speakers"))
        #expect(state.playback == .stopped)
        #expect(state.playbackProblem == "cannot play: no sound card found — plug in speakers")
        _ = state.handle(.togglePlayback)
        #expect(state.playbackProblem == nil, "a new attempt clears it")
    }

    @Test func theTimelineFollowsTheWindowsAcrossTheClip() throws {
        func segment(_ start: Double, _ end: Double, _ peak: Int?) throws -> ClassifiedSegment {
            let probabilities = peak.map { "\(BrowseFixture.probabilities(peak: $0, value: 0.9))" } ?? "null"
            let json = "{\"start\": \(start), \"end\": \(end), \"speechRatio\": 1, \"probabilities\": \(probabilities)}"
            return try JSONDecoder().decode(ClassifiedSegment.self, from: Data(json.utf8))
        }
        let segments = [try segment(1, 4, 2), try segment(2, 5, nil), try segment(3, 6, 4)]
        // 8 columns over 8 s: centres 0.5, 1.5, … 7.5 s; window centres 2.5, 3.5, 4.5.
        #expect(ClipPreviewView.timeline(segments, duration: 8, columns: 8) == [nil, 2, 2, nil, 4, 4, nil, nil])
        #expect(ClipPreviewView.timeline([], duration: 8, columns: 8).isEmpty)
    }

    @Test func thePanelDrawsWaveformCursorBarsAndTimeline() throws {
        var state = ClipPreviewState()
        _ = state.handle(.show(path: "/clips/long.wav"))
        let loaded = try data()
        _ = state.handle(.loaded(path: "/clips/long.wav", loaded))
        _ = state.handle(.togglePlayback)
        _ = state.handle(.playbackStarted)
        _ = state.handle(.playbackPosition(3.75))
        var canvas = Canvas(width: 100, height: 10)
        let context = DrawingContext(glyphs: .unicode, labels: labels)
        ClipPreviewView.draw(state, title: "long.wav", into: &canvas, area: canvas.bounds, context: context)
        let lines = canvas.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("▶ long.wav   7.50 s   ") && lines[0].hasSuffix("playing 3.8 s"))
        let waveWidth = 100 - 44 - 1
        #expect(canvas[waveWidth / 2, 3].character == "│", "the cursor halfway along the waveform")
        #expect(labels.allSatisfy { label in lines.contains { $0.contains(label) } })
        let strip = lines[9].prefix(waveWidth)
        #expect(strip.contains { $0.isUppercase }, "the timeline row carries emotion initials: \(strip)")
    }
}
