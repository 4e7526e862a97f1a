import A2MCore
import A2MMotion
import Foundation

/// The statistics `a2m eval` compares against: the committed real reference (embedded, so no data is
/// needed), or what `--reference` names — a folder of BVH motion or a statistics JSON.
public enum GestureReference {
    /// Where the embedded numbers come from.
    public static let embeddedName = "real co-speech reference (docs/reference/real_gesture_stats.json)"

    /// docs/reference/real_gesture_stats.json, decoded. A test checks that the text below equals that file.
    public static let embedded: GestureStatistics = {
        do { return try GestureStatistics.decode(Data(embeddedJSON.utf8), file: "embedded reference") } catch { fatalError("\(error)") }
    }()

    /// The statistics of `path`: every *.bvh in it when it is a folder, else a statistics JSON file.
    /// `progress(done, total)` follows the takes of a folder.
    public static func load(_ path: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> GestureStatistics {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw GestureStatisticsError.notFound(path)
        }
        if isDir.boolValue {
            let files = try GestureMeasurement.bvhFiles(in: [url])
            return try GestureMeasurement.statistics(files: files) { progress($0, files.count) }
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GestureStatisticsError.badStatisticsFile(file: path, reason: "cannot read it: \(error.localizedDescription)")
        }
        return try GestureStatistics.decode(data, file: path)
    }

    /// docs/reference/real_gesture_stats.json verbatim (regenerate both with the command in docs/evaluation.md).
    static let embeddedJSON = #"""
{
 "files": [
  "zeggs/067_Speech_2_x_1_0.bvh"
 ],
 "fingers": {
  "takes": 1,
  "tip_distance_range": 0.2401237679306898,
  "tip_speed_mean": 0.16763091898909627,
  "tip_speed_p95": 0.7019949757695882
 },
 "format": "a2m-gesture-stats",
 "frames": 2065,
 "gesture_space": {
  "mid_torso": 0.4891002216384608,
  "occupancy": 0.8038740920096852,
  "occupancy_both": 0.4213075060532688,
  "occupancy_left": 0.6174334140435835,
  "occupancy_right": 0.6077481840193705,
  "wrist_height": {
   "mean": 0.5838615779549625,
   "p25": 0.26140662075434673,
   "p5": 0.03905459358707767,
   "p50": 0.631834828912103,
   "p75": 0.8321570310775358,
   "p95": 1.1308379758250078
  },
  "wrist_height_histogram": [
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   0,
   24,
   454,
   337,
   334,
   259,
   243,
   291,
   523,
   553,
   234,
   271,
   325,
   130,
   91,
   53,
   8,
   0
  ]
 },
 "head": {
  "nod_rms_deg": 7.538861185718035,
  "nod_speed_deg_s": 19.99131067895117,
  "nods_per_min": 39.68023255813953,
  "turn_rms_deg": 14.149463190536599,
  "turn_speed_deg_s": 18.953148458847764,
  "turns_per_min": 26.598837209302324
 },
 "range": {
  "forward": {
   "mean": 0.3726888125571675,
   "p5": -0.04077432421925425,
   "p95": 0.7635144567410499,
   "range": 0.8042887809603041
  },
  "lateral": {
   "mean": 0.5066493623938689,
   "p5": 0.16421279742606218,
   "p95": 0.8405323395140597,
   "range": 0.6763195420879975
  }
 },
 "seconds": 68.8,
 "source_fps": [
  30.0
 ],
 "spectrum": {
  "segments": 126,
  "share_above_6hz": 0.07648437430328084
 },
 "stillness": {
  "hold": 0.037306201550387594,
  "rest": 0.0,
  "still": 0.037306201550387594
 },
 "takes": 1,
 "version": 1,
 "wrist_speed": {
  "histogram": [
   102,
   248,
   208,
   218,
   218,
   246,
   236,
   153,
   153,
   104,
   104,
   108,
   100,
   107,
   93,
   86,
   60,
   81,
   62,
   61,
   42,
   66,
   46,
   52,
   51,
   54,
   50,
   47,
   42,
   34,
   41,
   26,
   29,
   36,
   34,
   31,
   30,
   29,
   29,
   18,
   23,
   21,
   28,
   24,
   18,
   25,
   18,
   14,
   15,
   21,
   18,
   16,
   15,
   14,
   14,
   13,
   11,
   10,
   14,
   14,
   10,
   6,
   5,
   5,
   9,
   4,
   6,
   7,
   7,
   8,
   5,
   4,
   6,
   9,
   6,
   5,
   6,
   1,
   1,
   5,
   132
  ],
  "mean": 0.9958744763663947,
  "p50": 0.582138084588361,
  "p95": 3.3115211507476023
 }
}
"""#
}
