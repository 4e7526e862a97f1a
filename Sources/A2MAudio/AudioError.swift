import Foundation

/// Everything that can go wrong turning an audio file into features. Each case names the file (or
/// `<memory>` for signals built in code) and says what was found and what was expected.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(file: String)
    /// libsndfile could not open the file: not audio, an unsupported container, or a damaged header.
    case unreadable(file: String, reason: String)
    /// Not something a2m reads audio from (a device, a socket, or a pipe where the file is read twice).
    case notAFile(file: String, reason: String)
    case empty(file: String)
    /// Fewer samples than one analysis window (`required`, at `sampleRate`).
    case tooShort(file: String, samples: Int, required: Int, sampleRate: Int)
    /// The decoded data ended before the frame count the header promised.
    case truncated(file: String, framesRead: Int, framesExpected: Int)
    case nonFiniteSample(file: String, index: Int, seconds: Double)
    /// A finite sample beyond ±`AudioSignal.maxSampleMagnitude`.
    case sampleOutOfRange(file: String, index: Int, seconds: Double, value: Float)
    case resampleFailed(file: String, fromRate: Int, toRate: Int, reason: String)
    /// A rate outside `AudioFile.sampleRateRange`, in a file header or asked of the resampler.
    case invalidSampleRate(file: String, rate: Int)

    public var description: String {
        switch self {
        case let .fileNotFound(file):
            return "\(file): no such file"
        case let .unreadable(file, reason):
            return "\(file): not a readable audio file (\(reason)); expected WAV, FLAC, OGG/Vorbis, MP3, AIFF or another format libsndfile reads"
        case let .notAFile(file, reason):
            return "\(file): cannot read audio from it: \(reason)"
        case let .empty(file):
            return "\(file): the audio file contains no sample frames"
        case let .tooShort(file, samples, required, rate):
            return "\(file): audio is too short: \(samples) samples at \(rate) Hz (\(Self.ms(samples, rate)) ms); need at least \(required) samples (\(Self.ms(required, rate)) ms, one analysis window)"
        case let .truncated(file, got, expected):
            return "\(file): the file is truncated: decoded \(got) of the \(expected) sample frames its header declares"
        case let .nonFiniteSample(file, index, seconds):
            return "\(file): sample \(index) (at \(String(format: "%.3f", seconds)) s) is NaN or infinite; expected finite PCM values"
        case let .sampleOutOfRange(file, index, seconds, value):
            return "\(file): sample \(index) (at \(String(format: "%.3f", seconds)) s) is \(value); expected PCM within ±\(AudioSignal.maxSampleMagnitude) "
                + "(float audio is normally within ±1; larger values overflow the power spectrum)"
        case let .resampleFailed(file, from, to, reason):
            return "\(file): resampling \(from) Hz -> \(to) Hz failed: \(reason)"
        case let .invalidSampleRate(file, rate):
            let r = AudioFile.sampleRateRange
            return "\(file): sample rate \(rate) Hz is out of range; expected \(r.lowerBound)...\(r.upperBound) Hz"
        }
    }

    private static func ms(_ samples: Int, _ rate: Int) -> String {
        String(format: "%.1f", 1000 * Double(samples) / Double(max(rate, 1)))
    }
}
