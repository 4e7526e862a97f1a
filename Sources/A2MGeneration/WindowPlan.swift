/// How a clip of any length is cut into the model's fixed-length windows.
///
/// Windows are W frames long and each starts half a window after the previous one (EDGE long-form), so window
/// k's first half covers the same frames as window k−1's second half. The last window is moved back to end
/// exactly at the last frame, so every window is full of real audio (its overlap is then longer than W/2);
/// no audio is padded. A clip shorter than W is one window of its own length.
package struct WindowPlan: Sendable, Equatable {
    package let windowFrames: Int
    package let totalFrames: Int
    /// Start frame of each window, increasing.
    package let starts: [Int]

    package init(totalFrames: Int, windowFrames: Int) {
        precondition(totalFrames > 0 && windowFrames > 1, "WindowPlan needs frames > 0 and a window > 1")
        self.windowFrames = windowFrames
        self.totalFrames = totalFrames
        guard totalFrames > windowFrames else {
            starts = [0]
            return
        }
        let hop = windowFrames - windowFrames / 2
        var s = [0]
        while s[s.count - 1] + windowFrames < totalFrames {
            s.append(min(s[s.count - 1] + hop, totalFrames - windowFrames))
        }
        starts = s
    }

    package var count: Int { starts.count }

    func window(_ k: Int) -> Range<Int> {
        starts[k]..<min(totalFrames, starts[k] + windowFrames)
    }

    /// Frames window k shares with window k−1 (0 for the first window).
    func overlap(_ k: Int) -> Int {
        k == 0 ? 0 : window(k - 1).upperBound - starts[k]
    }
}
