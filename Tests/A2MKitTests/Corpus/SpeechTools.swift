import Foundation
import Testing

/// The speech synthesizers some tests run, looked up on PATH. A test that needs one is skipped, with the reason,
/// when it is missing, instead of failing on the missing tool; .ci/run installs both.
enum SpeechTools {
    static let espeak = onPath("espeak-ng")
    static let flite = onPath("flite")

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips the test, saying why, when espeak-ng is not on PATH.
    static var needsEspeak: Self {
        .enabled(if: SpeechTools.espeak != nil, "espeak-ng is not installed (apt-get install espeak-ng); .ci/run installs it")
    }

    /// Skips the test, saying why, when flite is not on PATH.
    static var needsFlite: Self {
        .enabled(if: SpeechTools.flite != nil, "flite is not installed (apt-get install flite); .ci/run installs it")
    }
}
