import A2MCore

/// Seeded sentences for one language from `WordLists`: subject + verb + object, sometimes an adverb, sometimes a
/// second clause after a conjunction, ending in "." or (one time in six) "?", which changes the intonation.
struct SentenceGenerator {
    let words: WordList

    init(language: String) throws {
        guard let w = WordLists.byLanguage[language] else {
            throw CorpusError.unsupportedLanguage(language, supported: WordLists.byLanguage.keys.sorted())
        }
        words = w
    }

    func sentence(using rng: inout PCG32) -> String {
        func pick(_ xs: [String]) -> String { xs[rng.int(below: xs.count)] }
        var parts = [pick(words.subjects), pick(words.verbs), pick(words.objects)]
        if rng.int(below: 2) == 0 { parts.append(pick(words.adverbs)) }
        if rng.int(below: 3) == 0 {
            parts[parts.count - 1] += ","
            parts += [pick(words.conjunctions), pick(words.subjects), pick(words.verbs), pick(words.objects)]
        }
        var text = parts.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + (rng.int(below: 6) == 0 ? "?" : ".")
    }
}
