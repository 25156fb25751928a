#!/usr/bin/env python3
"""Write librosa 0.11 reference values that Emoscope's feature tests compare against.

Run by hand, not by CI (CI has no librosa):

    pip install librosa==0.11.0
    python3 scripts/librosa_reference.py [--shared ../shared]

For each case it stores the input signal (float32, base64) together with librosa's log-mel
(dB), MFCC, RMS, zero-crossing rate and YIN F0, so the Swift tests need neither Python nor
the corpus. Settings use the field names of Emoscope's FeatureSettings.
"""
import argparse, base64, json, os, sys
import numpy as np
import librosa

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EmoscopeCoreTests", "Fixtures", "librosa")

DEFAULT = dict(sampleRate=16000, fftSize=512, windowLength=400, hopLength=160, melBands=64,
               minFrequency=0.0, maxFrequency=8000.0, mfccCount=20, topDB=80.0,
               pitchFrameLength=1024, pitchMinFrequency=60.0, pitchMaxFrequency=500.0,
               pitchThreshold=0.15, vadFloorDB=-70.0, vadRangeDB=40.0,
               vadNoiseMarginDB=6.0, vadMinimumDynamicsDB=12.0)
# A second configuration: full-length window, other mel range, no top_db clamp.
ALTERNATE = dict(DEFAULT, fftSize=1024, windowLength=1024, hopLength=256, melBands=40,
                 minFrequency=50.0, maxFrequency=7600.0, mfccCount=13, topDB=None)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


def reference(name, y, s):
    sr = s["sampleRate"]
    y64 = y.astype(np.float64)  # the reference is computed in double precision
    mel = librosa.feature.melspectrogram(
        y=y64, sr=sr, n_fft=s["fftSize"], win_length=s["windowLength"], hop_length=s["hopLength"],
        window="hann", center=True, pad_mode="constant", power=2.0, n_mels=s["melBands"],
        fmin=s["minFrequency"], fmax=s["maxFrequency"], htk=False, norm="slaney")
    logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=s["topDB"])
    mfcc = librosa.feature.mfcc(S=logmel, n_mfcc=s["mfccCount"], dct_type=2, norm="ortho")
    rms = librosa.feature.rms(y=y64, frame_length=s["windowLength"], hop_length=s["hopLength"],
                              center=True, pad_mode="constant")[0]
    zcr = librosa.feature.zero_crossing_rate(y64, frame_length=s["windowLength"],
                                             hop_length=s["hopLength"], center=True)[0]
    f0 = librosa.yin(y64, fmin=s["pitchMinFrequency"], fmax=s["pitchMaxFrequency"], sr=sr,
                     frame_length=s["pitchFrameLength"], hop_length=s["hopLength"],
                     trough_threshold=s["pitchThreshold"], center=True, pad_mode="constant")
    case = dict(name=name, librosa=librosa.__version__, settings=s,
                signal=b64(y), sampleCount=int(len(y)),
                logMel=dict(frames=logmel.shape[1], features=logmel.shape[0], data=b64(logmel.T)),
                mfcc=dict(frames=mfcc.shape[1], features=mfcc.shape[0], data=b64(mfcc.T)),
                rms=b64(rms), zeroCrossingRate=b64(zcr), yin=b64(f0))
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))
    print(f"{name}: {len(y)} samples, log-mel {logmel.shape}, mfcc {mfcc.shape}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    sr = 16000
    t = np.arange(sr) / sr
    rng = np.random.default_rng(20261121)

    two_tones = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 1000 * t)
    reference("two-tones", two_tones.astype(np.float32), DEFAULT)
    chirp = 0.6 * np.sin(2 * np.pi * (100 * t + 0.5 * (4000 - 100) * t ** 2))
    reference("chirp", chirp.astype(np.float32), DEFAULT)
    reference("chirp-alternate", chirp.astype(np.float32), ALTERNATE)
    noise = 0.1 * rng.standard_normal(11_203)  # odd length: the last frame is partial
    reference("noise", noise.astype(np.float32), DEFAULT)
    f0 = 180.0
    harmonic = sum(0.4 / k * np.sin(2 * np.pi * f0 * k * t + k) for k in range(1, 8))
    harmonic *= np.minimum(1, np.minimum(t, 1 - t) / 0.05)  # 50 ms fades
    reference("harmonic-180hz", harmonic.astype(np.float32), DEFAULT)
    reference("silence", np.zeros(8000, dtype=np.float32), DEFAULT)

    corpus = os.path.join(args.shared, "datasets", "ravdess-speech-16k")
    for actor, clip in [("Actor_01", "03-01-05-02-01-01-01"), ("Actor_02", "03-01-04-01-02-01-02")]:
        path = os.path.join(corpus, actor, clip + ".flac")
        if not os.path.exists(path):
            sys.exit(f"RAVDESS clip not found: {path} (pass --shared)")
        y, file_sr = librosa.load(path, sr=None, mono=True)  # float32, as libsndfile decodes it
        assert file_sr == sr
        reference("ravdess-" + clip, y, DEFAULT)
    reference("ravdess-03-01-04-01-02-01-02-alternate", y, ALTERNATE)


if __name__ == "__main__":
    main()
