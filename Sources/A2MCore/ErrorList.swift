/// Long lists in messages (tensor problems, reader warnings) are cut, so a hostile file cannot turn one error
/// into a 300,000-line message.
public enum ErrorList {
    /// Items shown before the rest is summarized.
    public static let limit = 20

    /// The first `limit` items, then "… and N more" when there were more.
    public static func capped(_ items: [String], limit: Int = ErrorList.limit, noun: String = "") -> [String] {
        guard items.count > limit else { return items }
        let more = items.count - limit
        return Array(items.prefix(limit)) + ["… and \(more.groupedDigits) more\(noun.isEmpty ? "" : " " + noun)"]
    }
}

extension Int {
    /// 299990 → "299,990" (the grouping is fixed, not locale-dependent, so messages are reproducible).
    public var groupedDigits: String {
        let digits = String(self.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
