import Foundation
import Testing
import EmoscopeTUI

@Suite struct LiveStateTests {
    let labels = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]

    /// The live screen drawn into a canvas, as text.
    func render(_ state: LiveState, width: Int = 100, height: Int = 24, glyphs: Glyphs = .unicode) -> String {
        var canvas = Canvas(width: width, height: height)
        LiveView.draw(state, into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: glyphs, labels: labels))
        return canvas.text
    }

    func probabilities(peak: Int, value: Float = 0.65) -> [Float] {
        (0..<8).map { $0 == peak ? value : (1 - value) / 7 }
    }

    @Test func speechAnalysesDriveBarsDominantAndTimeline() {
        var state = LiveState(labels: labels)
        #expect(state.phase == .listening && state.dominant == nil)
        _ = state.handle(.analysis(LiveAnalysis(time: 3, probabilities: probabilities(peak: 4), pitchHz: 210, energyDB: -20)))
        #expect(state.phase == .speech)
        #expect(state.dominant == 4)
        #expect(state.timeline == [4])
        #expect(state.pitchHz == 210)
        _ = state.handle(.analysis(LiveAnalysis(time: 3.25, probabilities: nil, pitchHz: nil, energyDB: -70)))
        #expect(state.phase == .noSpeech && state.dominant == nil)
        #expect(state.timeline == [4, nil])
    }

    @Test func smoothingBlendsAndCanBeTurnedOff() {
        var state = LiveState(labels: labels, hopSeconds: 0.25)
        _ = state.handle(.analysis(LiveAnalysis(time: 3, probabilities: probabilities(peak: 0, value: 1), pitchHz: nil, energyDB: -20)))
        _ = state.handle(.analysis(LiveAnalysis(time: 3.25, probabilities: probabilities(peak: 1, value: 1), pitchHz: nil, energyDB: -20)))
        let keep = Float(LiveState.smoothingTimeConstant / (LiveState.smoothingTimeConstant + 0.25))
        #expect(abs(state.probabilities![0] - keep) < 1e-6)
        #expect(abs(state.probabilities![1] - (1 - keep)) < 1e-6)
        #expect(state.rawProbabilities![1] == 1)
        _ = state.handle(.key(.character("s")))
        #expect(!state.smoothing && state.probabilities == state.rawProbabilities)
    }

    @Test func timelineKeepsTheLastMinute() {
        var state = LiveState(labels: labels, hopSeconds: 0.5, timelineSeconds: 10)
        for step in 0..<50 {
            _ = state.handle(.analysis(LiveAnalysis(time: Double(step), probabilities: probabilities(peak: step % 8), pitchHz: nil, energyDB: -20)))
        }
        #expect(state.timeline.count == 20)
        #expect(state.timeline.last == 49 % 8)
    }

    @Test func pauseFreezesTheMeterAndAsksTheEngine() {
        var state = LiveState(labels: labels)
        #expect(state.handle(.key(.character(" "))) == [.setPaused(true)])
        _ = state.handle(.analysis(LiveAnalysis(time: 3, probabilities: probabilities(peak: 2), pitchHz: nil, energyDB: -20)))
        #expect(state.probabilities == nil && state.timeline.isEmpty)
        #expect(state.handle(.key(.character(" "))) == [.setPaused(false)])
    }

    @Test func recordingKeyStartsAndStops() {
        var state = LiveState(labels: labels)
        #expect(state.handle(.key(.character("r"))) == [.startRecording])
        _ = state.handle(.recordingStarted(path: "/tmp/a.flac"))
        #expect(state.recording?.path == "/tmp/a.flac")
        #expect(state.handle(.key(.character("r"))) == [.stopRecording])
        _ = state.handle(.recordingStopped(path: "/tmp/a.flac", seconds: 2.5))
        #expect(state.recording == nil)
        #expect(state.notice == "saved 2.5 s to /tmp/a.flac")
    }

    @Test func sourceFailureIsShownAndRetryable() {
        var state = LiveState(labels: labels)
        _ = state.handle(.sourceFailed(message: "no sound card found", hint: "try emoscope live --file CLIP"))
        #expect(state.input == .failed(message: "no sound card found", hint: "try emoscope live --file CLIP"))
        #expect(state.handle(.key(.enter)) == [.retrySource])
        let text = render(state, width: 80, height: 22, glyphs: .ascii)
        #expect(text.contains("no sound card found"))
        #expect(text.contains("try emoscope live --file CLIP"))
    }

    @Test func theEndOfAFileKeepsTheLastResultOnScreen() {
        var state = LiveState(labels: labels)
        _ = state.handle(.sourceFinished)
        _ = state.handle(.analysis(LiveAnalysis(time: 3, probabilities: probabilities(peak: 4), pitchHz: nil, energyDB: -20)))
        #expect(state.dominant == 4 && state.timeline == [4])
        let text = render(state)
        #expect(text.contains("dominant: angry 65%"))
        #expect(text.contains("end of input"))
    }

    @Test func clipIndicatorHoldsForASecond() {
        var state = LiveState(labels: labels)
        let wave = WaveformEnvelope(minima: [-1], maxima: [1])
        _ = state.handle(.frame(LiveFrame(waveform: wave, levelDB: -1, clipped: true, time: 10)))
        _ = state.handle(.frame(LiveFrame(waveform: wave, levelDB: -30, clipped: false, time: 10.5)))
        #expect(state.isClipping)
        _ = state.handle(.frame(LiveFrame(waveform: wave, levelDB: -30, clipped: false, time: 11.2)))
        #expect(!state.isClipping)
    }

    @Test func viewDrawsWaveformAllBarsAndDominant() {
        var state = LiveState(labels: labels)
        state.sourceName = "file demo.flac"
        let samples = (0..<8000).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        _ = state.handle(.frame(LiveFrame(waveform: WaveformEnvelope(samples: samples, columns: 400), levelDB: -9, clipped: false, time: 1)))
        _ = state.handle(.analysis(LiveAnalysis(time: 3, probabilities: probabilities(peak: 4), pitchHz: 190, energyDB: -12)))
        for glyphs in [Glyphs.unicode, .ascii] {
            let text = render(state, height: 30, glyphs: glyphs)
            for label in labels { #expect(text.contains(label)) }
            #expect(text.contains("dominant: angry 65%"))
            #expect(text.contains("65%"))
            #expect(text.contains("pitch 190 Hz"))
            #expect(text.contains(String(glyphs.waveFull)))
            if !glyphs.isUnicode {
                // Bars and waveform are ASCII already; any text falls back per character.
                #expect(text.filter { !$0.isASCII }.allSatisfy { Glyphs.asciiFallback($0) != "?" })
            }
        }
    }

    /// Pressing r without a microphone says why nothing records, under the device's own error and hint.
    @Test func recordingNoticeShowsBesideAFailedInput() {
        var state = LiveState(labels: labels)
        let hint = "plug in a microphone, pick another with --device (emoscope live --list-devices) or play a file: emoscope live --file CLIP"
        _ = state.handle(.sourceFailed(message: "no sound card found", hint: hint))
        _ = state.handle(.recordingFailed(message: "no input to record"))
        for height in [24, 30] {
            let text = render(state, height: height)
            #expect(text.contains("no sound card found") && text.contains("emoscope live --file CLIP"), "\(text)")
            #expect(text.contains("recording failed: no input to record"), "height \(height):\n\(text)")
        }
    }

    /// Under a non-UTF-8 locale every help screen's text still reads: no character falls back to "?".
    @Test func helpTextHasAnASCIIStandInForEveryCharacter() {
        for line in LiveView.help + BrowseView.help + ReviewController.helpLines {
            let missing = line.filter { !$0.isASCII && Glyphs.asciiFallback($0) == "?" }
            #expect(missing.isEmpty, "\(line): \(missing)")
        }
    }

    @Test func envelopeAndRebinKeepExtremes() {
        let samples: [Float] = [0, 0.5, -0.25, 0, 0, 0, 1, -1]
        let envelope = WaveformEnvelope(samples: samples, columns: 4)
        #expect(envelope.maxima == [0.5, 0, 0, 1])
        #expect(envelope.minima == [0, -0.25, 0, -1])
        let merged = LiveView.rebin(envelope, columns: 2)
        #expect(merged.maxima == [0.5, 1] && merged.minima == [-0.25, -1])
    }

    /// `a` forgets the voice when the model adapts to one, and says why not when it does not.
    @Test func aNewVoiceResetsTheAdaptation() {
        var state = LiveState(labels: labels)
        #expect(state.handle(.key(.character("a"))).isEmpty)
        #expect(state.notice?.contains("does not adapt") == true)
        var analysis = LiveAnalysis(time: 3, probabilities: probabilities(peak: 1), pitchHz: nil, energyDB: -20)
        analysis.adaptedSeconds = 12
        _ = state.handle(.analysis(analysis))
        #expect(state.adaptedSeconds == 12)
        #expect(render(state).contains("voice: 12 s heard"))
        #expect(LiveView.hints(state).contains { $0.key == "a" })
        #expect(state.handle(.key(.character("a"))) == [.resetAdaptation])
        #expect(state.adaptedSeconds == 0 && state.notice?.contains("new voice") == true)
    }
}
