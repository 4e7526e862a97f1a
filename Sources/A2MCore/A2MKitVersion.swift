/// Library version, also written into checkpoints and JSON exports.
public enum A2MKitVersion {
    public static let string = "0.1.0"
}
