/// Errors from calling the denoiser with inputs that do not fit its configuration.
public enum DenoiserError: Error, CustomStringConvertible, Equatable {
    case badInput(field: String, got: String, expected: String)
    case noUnconditionalMode
    case backwardWithoutForward

    public var description: String {
        switch self {
        case let .badInput(field, got, expected):
            return "denoiser input '\(field)': got \(got), expected \(expected)"
        case .noUnconditionalMode:
            return "this model was trained with condDropProbability = 0 and has no unconditional mode; use guidance 1"
        case .backwardWithoutForward:
            return "backward() needs a preceding training forward() on the same model"
        }
    }
}
