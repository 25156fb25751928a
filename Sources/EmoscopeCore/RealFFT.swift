import CFFTW
import Foundation

/// FFTW's planner is not thread-safe; executing plans is.
private let fftwPlanner = NSLock()

/// A real-to-complex FFT of one size with its own aligned buffers and FFTW plan.
///
/// Not thread-safe: give each thread its own. Plans use `FFTW_ESTIMATE` so results do not
/// depend on timing measurements made at planning time (training stays reproducible).
final class RealFFT {
    /// Transform size in samples.
    let size: Int
    /// `size` real input samples.
    let input: UnsafeMutablePointer<Float>
    /// `size / 2 + 1` complex outputs as interleaved (re, im) pairs.
    let spectrum: UnsafeMutablePointer<Float>
    private let forwardPlan: fftwf_plan
    private let inversePlan: fftwf_plan?

    /// Plans a forward transform, and the inverse (complex-to-real) one when asked.
    init(size: Int, withInverse: Bool = false) {
        precondition(size >= 2 && size % 2 == 0, "RealFFT size must be even")
        self.size = size
        input = fftwf_alloc_real(size)!
        input.initialize(repeating: 0, count: size)
        let complexBuffer = fftwf_alloc_complex(size / 2 + 1)!
        spectrum = UnsafeMutableRawPointer(complexBuffer).bindMemory(to: Float.self, capacity: size + 2)
        spectrum.initialize(repeating: 0, count: size + 2)
        let flags = UInt32(FFTW_ESTIMATE)
        let input = self.input
        fftwPlanner.lock()
        forwardPlan = fftwf_plan_dft_r2c_1d(Int32(size), input, complexBuffer, flags)!
        // The c2r transform may overwrite `spectrum`; callers treat it as scratch afterwards.
        inversePlan = withInverse ? fftwf_plan_dft_c2r_1d(Int32(size), complexBuffer, input, flags) : nil
        fftwPlanner.unlock()
    }

    deinit {
        fftwPlanner.lock()
        fftwf_destroy_plan(forwardPlan)
        if let inversePlan { fftwf_destroy_plan(inversePlan) }
        fftwPlanner.unlock()
        fftwf_free(input)
        fftwf_free(spectrum)
    }

    /// `spectrum ← FFT(input)`.
    func forward() { fftwf_execute(forwardPlan) }

    /// `input ← size · IFFT(spectrum)` (unnormalised, as FFTW computes it); destroys `spectrum`.
    func inverse() {
        guard let inversePlan else { preconditionFailure("RealFFT planned without inverse") }
        fftwf_execute(inversePlan)
    }
}
