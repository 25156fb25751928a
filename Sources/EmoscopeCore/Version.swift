/// Facts about this build of Emoscope.
public enum EmoscopeVersion {
    /// The release version shared by `emoscope` and `emoscope-train`.
    public static let string = "0.1.0"
}
