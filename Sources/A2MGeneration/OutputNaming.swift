/// How generated files are named, for `a2m generate` (which writes them) and `a2m eval --generated` (which
/// finds them): input `NAME.ext` gives `NAME.FORMAT-EXT` for one sample, and `NAME.0.FORMAT-EXT`,
/// `NAME.1.FORMAT-EXT`, … for several (sample k is noise stream k, so the number names the draw).
/// Files written once per input from all its samples (the `--view` player) are `NAME.EXT`.
public enum OutputNaming {
    /// The file stem of sample `k` of `samples` for an input whose name without extension is `stem`.
    public static func stem(_ stem: String, sample k: Int, of samples: Int) -> String {
        samples == 1 ? stem : "\(stem).\(k)"
    }

    /// The sample files of `stem` with extension `ext` that `listing` holds, in sample order: `stem.ext`
    /// alone, or `stem.0.ext`, `stem.1.ext`, … up to the first missing number (both kinds: the single one
    /// first).
    public static func sampleFiles(_ stem: String, extension ext: String, in listing: Set<String>) -> [String] {
        var names: [String] = []
        if listing.contains("\(stem).\(ext)") { names.append("\(stem).\(ext)") }
        var k = 0
        while listing.contains("\(stem).\(k).\(ext)") {
            names.append("\(stem).\(k).\(ext)")
            k += 1
        }
        return names
    }
}
