import CBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Single-precision matrix multiply through a BLAS library loaded at run time.
///
/// OpenBLAS chooses its kernel once, when it is loaded, and on CPUs it does not recognise it
/// falls back to a generic kernel about 4× slower (PLATFORM-NOTES). Forcing the wrong kernel
/// is worse: `SkylakeX` on an AVX2-only CPU dies with SIGILL. So Emoscope does not link BLAS;
/// on first use it reads the CPU's SIMD level, sets `OPENBLAS_CORETYPE` to the matching kernel
/// (`SkylakeX` for AVX-512, `Haswell` for AVX2 + FMA) and `OPENBLAS_NUM_THREADS=1` (Emoscope
/// parallelises over clips), unless the user set them, and only then `dlopen`s the library.
public enum BLAS {
    /// The loaded library and its entry points.
    struct Library: @unchecked Sendable {
        let path: String
        let sgemm: emoscope_sgemm_fn
        let kernel: String
    }

    /// Library names tried in order. `EMOSCOPE_BLAS` names another one first.
    static let candidates = [
        "libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libblas.so.3", "libopenblas.dylib",
    ]

    static let library: Result<Library, BLASError> = load()

    /// Loads BLAS now (it loads itself on first use); throws when no library can be found.
    public static func ensureLoaded() throws {
        _ = try library.get()
    }

    /// The library file and the kernel it runs, e.g. `libopenblas.so.0 (Haswell)`.
    public static var description: String {
        switch library {
        case .success(let lib): return "\(lib.path) (\(lib.kernel))"
        case .failure(let error): return "unavailable: \(error)"
        }
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, all row-major; `op` transposes when asked.
    ///
    /// Sizes are those of `op(A)` (m×k) and `op(B)` (k×n); leading dimensions are row strides.
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let gemm = loadedSgemm()
        gemm(101, transposeA ? 112 : 111, transposeB ? 112 : 111,
             Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @usableFromInline
    static func loadedSgemm() -> emoscope_sgemm_fn {
        switch library {
        case .success(let lib): return lib.sgemm
        case .failure(let error): fatalError("\(error)")
        }
    }

    /// The OpenBLAS kernel that suits this CPU, or nil to let OpenBLAS decide.
    static func preferredOpenBLASKernel() -> String? {
        switch emoscope_cpu_simd_level() {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    static func load() -> Result<Library, BLASError> {
        if getenv("OPENBLAS_CORETYPE") == nil, let kernel = preferredOpenBLASKernel() {
            setenv("OPENBLAS_CORETYPE", kernel, 0)
        }
        setenv("OPENBLAS_NUM_THREADS", "1", 0)
        setenv("BLIS_NUM_THREADS", "1", 0)

        var names = candidates
        if let custom = getenv("EMOSCOPE_BLAS") { names.insert(String(cString: custom), at: 0) }
        var tried: [String] = []
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                tried.append(name)
                continue
            }
            guard let symbol = dlsym(handle, "cblas_sgemm") else {
                tried.append("\(name) (no cblas_sgemm)")
                continue
            }
            let sgemm = unsafeBitCast(symbol, to: emoscope_sgemm_fn.self)
            var kernel = "unknown kernel"
            if let corename = dlsym(handle, "openblas_get_corename") {
                let fn = unsafeBitCast(corename, to: emoscope_corename_fn.self)
                if let cString = fn() { kernel = String(cString: cString) }
            } else if name.contains("blis") {
                kernel = "BLIS"
            }
            return .success(Library(path: name, sgemm: sgemm, kernel: kernel))
        }
        return .failure(BLASError(tried: tried))
    }
}

/// No BLAS library could be loaded.
public struct BLASError: Error, CustomStringConvertible, Sendable {
    /// The library names that were tried.
    public let tried: [String]
    public var description: String {
        "no BLAS library found (tried \(tried.joined(separator: ", "))); "
            + "install OpenBLAS: apt-get install libopenblas0"
    }
}
