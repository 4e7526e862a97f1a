/// Errors from building a synthetic corpus.
public enum CorpusError: Error, CustomStringConvertible, Equatable {
    case espeakMissing(searched: String)
    case espeakFailed(voice: String, status: Int32, message: String)
    case badSpeechOutput(voice: String, reason: String)
    case unsupportedLanguage(String, supported: [String])
    case skeletonMissingJoint(String, required: [String])
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .espeakMissing(searched):
            return "espeak-ng was not found on PATH (\(searched)); install it (Debian/Ubuntu: apt-get install espeak-ng) to build a corpus"
        case let .espeakFailed(voice, status, message):
            return "espeak-ng failed for voice \(voice) (exit status \(status)): \(message)"
        case let .badSpeechOutput(voice, reason):
            return "espeak-ng output for voice \(voice) is unusable: \(reason)"
        case let .unsupportedLanguage(code, supported):
            return "no sentence word list for language '\(code)'; supported: \(supported.joined(separator: ", "))"
        case let .skeletonMissingJoint(name, required):
            return "the gesture model needs joint '\(name)' in the skeleton; it drives: \(required.joined(separator: ", "))"
        case let .invalidParameter(reason):
            return "corpus: \(reason)"
        }
    }
}
