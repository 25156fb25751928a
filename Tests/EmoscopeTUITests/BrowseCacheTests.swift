import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing
import EmoscopeTUI

@Suite struct BrowseCacheTests {
    let fingerprint = ClipFingerprint(size: 64_000, modified: 1_700_000_000_123_456_789)
    let verdict = ClipOutcome.classified(ClipVerdict(duration: 2, status: .classified, probabilities: BrowseFixture.probabilities(peak: 4, value: 0.8)))

    @Test func aResultIsFoundOnlyForTheSameSizeTimeAndModel() {
        var cache = ResultCache(model: 0xABCD)
        cache.store(path: "/c/a.wav", fingerprint: fingerprint, outcome: verdict)
        #expect(cache.lookup(path: "/c/a.wav", fingerprint: fingerprint) == verdict)
        #expect(cache.lookup(path: "/c/b.wav", fingerprint: fingerprint) == nil)
        #expect(cache.lookup(path: "/c/a.wav", fingerprint: ClipFingerprint(size: fingerprint.size + 1, modified: fingerprint.modified)) == nil,
                "a file of another size")
        #expect(cache.lookup(path: "/c/a.wav", fingerprint: ClipFingerprint(size: fingerprint.size, modified: fingerprint.modified + 1)) == nil,
                "a file modified since (nanoseconds count)")
    }

    @Test func anotherModelChecksumInvalidatesEveryEntry() throws {
        let folder = TemporaryDirectory()
        var cache = ResultCache(model: 1)
        cache.store(path: "/c/a.wav", fingerprint: fingerprint, outcome: verdict)
        try cache.save(to: folder.path("cache/browse.json"))
        #expect(ResultCache.load(from: folder.path("cache/browse.json"), model: 1).lookup(path: "/c/a.wav", fingerprint: fingerprint) == verdict)
        let other = ResultCache.load(from: folder.path("cache/browse.json"), model: 2)
        #expect(other.count == 1 && other.lookup(path: "/c/a.wav", fingerprint: fingerprint) == nil)
    }

    @Test func errorsAreKeptUnlessTheyMayPass() throws {
        var cache = ResultCache(model: 1)
        let corrupt = ClipOutcome.failed(kind: "corrupt", reason: "corrupt: decoding failed after 10 frames (flac decoder lost sync)")
        cache.store(path: "/c/bad.flac", fingerprint: fingerprint, outcome: corrupt)
        cache.store(path: "/c/locked.wav", fingerprint: fingerprint, outcome: .failed(kind: "unreadable", reason: "cannot be read: permission denied"))
        cache.store(path: "/c/new.wav", fingerprint: fingerprint, outcome: .pending)
        let folder = TemporaryDirectory()
        try cache.save(to: folder.path("c.json"))
        let loaded = ResultCache.load(from: folder.path("c.json"), model: 1)
        #expect(loaded.count == 1 && loaded.lookup(path: "/c/bad.flac", fingerprint: fingerprint) == corrupt)
        #expect(!loaded.isModified && cache.isModified)
    }

    @Test func aDamagedOrMissingCacheIsEmpty() throws {
        let folder = TemporaryDirectory()
        try "{not json".write(toFile: folder.path("bad.json"), atomically: true, encoding: .utf8)
        #expect(ResultCache.load(from: folder.path("bad.json"), model: 1).count == 0)
        #expect(ResultCache.load(from: folder.path("none.json"), model: 1).count == 0)
    }

    @Test func fingerprintsFollowTheFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("a.wav")
        try AudioFileWriter.write(Signals.sine(frequency: 200, seconds: 0.5), sampleRate: 16_000, to: path, format: .wav16)
        let first = try #require(ClipFingerprint.of(path: path))
        #expect(ClipFingerprint.of(path: path) == first)
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(ClipFingerprint.of(path: path) == ClipFingerprint(size: first.size, modified: 1_000_000_000_000_000))
        try AudioFileWriter.write(Signals.sine(frequency: 200, seconds: 0.6), sampleRate: 16_000, to: path, format: .wav16)
        #expect(ClipFingerprint.of(path: path)?.size != first.size)
        #expect(ClipFingerprint.of(path: folder.path("none.wav")) == nil)
    }

    @Test func theCacheLivesUnderXDGCacheHomeOrHome() {
        let xdg = ResultCache.location(folder: "/data/clips", environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"])
        #expect(xdg?.hasPrefix("/x/cache/emoscope/browse-") == true && xdg?.hasSuffix(".json") == true)
        let home = ResultCache.location(folder: "/data/clips", environment: ["HOME": "/home/u"])
        #expect(home?.hasPrefix("/home/u/.cache/emoscope/browse-") == true)
        #expect(ResultCache.location(folder: "/data/other", environment: ["HOME": "/home/u"]) != home, "one file per folder")
        #expect(ResultCache.location(folder: "/data/clips", environment: [:]) == nil)
    }
}
