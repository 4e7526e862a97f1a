import Testing
import Foundation
@testable import A2MCore
@testable import A2MTraining

@Suite struct TrainingConfigTests {
    @Test func emptyObjectGivesDocumentedDefaults() throws {
        let c = try StrictJSON.decode(TrainingConfig.self, from: Data("{}".utf8), file: "t.json")
        #expect(c == TrainingConfig())
        #expect(c.batchSize == 16 && c.windowFrames == 120 && c.windowStride == 60 && c.fps == 30 && c.seed == 0)
        try c.validate(file: "t.json")
    }

    @Test func everyKeyIsRead() throws {
        let json = #"""
        {"batchSize": 3, "learningRate": 0.001, "warmupSteps": 7, "totalSteps": 99, "weightDecay": 0.5, "gradClip": 0,
         "emaDecay": 0.9, "fps": 60, "windowFrames": 40, "windowStride": 10, "validationFraction": 0.25, "validationMaxWindows": 5,
         "logInterval": 2, "validationInterval": 3, "checkpointInterval": 4, "x0LossWeight": 2, "velocityLossWeight": 0, "footVelocityLossWeight": 5,
         "accelerationLossWeight": 7, "derivativeWeighting": "inverseVariance", "derivativeFactorFloor": 3, "motionStdFloor": 0.002,
         "seed": 12}
        """#
        let c = try StrictJSON.decode(TrainingConfig.self, from: Data(json.utf8), file: "t.json")
        #expect(c.batchSize == 3 && c.learningRate == 0.001 && c.warmupSteps == 7 && c.totalSteps == 99)
        #expect(c.weightDecay == 0.5 && c.gradClip == 0 && c.emaDecay == 0.9 && c.fps == 60 && c.windowFrames == 40 && c.windowStride == 10)
        #expect(c.validationFraction == 0.25 && c.validationMaxWindows == 5 && c.logInterval == 2)
        #expect(c.validationInterval == 3 && c.checkpointInterval == 4 && c.x0LossWeight == 2 && c.velocityLossWeight == 0 && c.seed == 12)
        #expect(c.motionStdFloor == 0.002 && c.footVelocityLossWeight == 5 && c.accelerationLossWeight == 7)
        #expect(c.derivativeWeighting == .inverseVariance && c.derivativeFactorFloor == 3)
        // Every coding key appears in the JSON above, so no key can be parsed and then ignored unnoticed.
        let present = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(Set(TrainingConfig.CodingKeys.allCases.map(\.stringValue)) == Set(present.keys))
        try c.validate(file: "t.json")
    }

    @Test func unknownKeyIsNamed() {
        #expect { try StrictJSON.decode(TrainingConfig.self, from: Data(#"{"batchsize": 3}"#.utf8), file: "t.json") } throws: { e in
            "\(e)".contains("t.json") && "\(e)".contains("'batchsize'") && "\(e)".contains("batchSize")
        }
    }

    @Test func unknownDerivativeWeightingIsNamed() {
        #expect { try StrictJSON.decode(TrainingConfig.self, from: Data(#"{"derivativeWeighting": "perJoint"}"#.utf8), file: "t.json") } throws: { e in
            "\(e)".contains("t.json") && "\(e)".contains("derivativeWeighting")
        }
    }

    @Test func outOfRangeNamesFieldAndRange() throws {
        var c = TrainingConfig()
        c.validationFraction = 1.5
        #expect { try c.validate(file: "t.json") } throws: { e in
            "\(e)".contains("training.validationFraction") && "\(e)".contains("1.5") && "\(e)".contains("0.0...0.9")
        }
        c = TrainingConfig()
        c.x0LossWeight = 0
        c.velocityLossWeight = 0
        #expect(throws: ConfigError.self) { try c.validate(file: "t.json") }
        c.accelerationLossWeight = 1  // an acceleration-only loss is a loss
        try c.validate(file: "t.json")
        c = TrainingConfig()
        c.accelerationLossWeight = -1
        #expect { try c.validate(file: "t.json") } throws: { e in "\(e)".contains("training.accelerationLossWeight") }
        c = TrainingConfig()
        c.derivativeWeighting = .inverseVariance
        try c.validate(file: "t.json")
        c.velocityLossWeight = 0   // and the acceleration weight's default 0: the key would change nothing
        #expect { try c.validate(file: "t.json") } throws: { e in "\(e)".contains("training.derivativeWeighting") }
        c.accelerationLossWeight = 0.1
        try c.validate(file: "t.json")
        c.derivativeFactorFloor = 1e4
        try c.validate(file: "t.json")
        for bad: Float in [-1, 2e4, .nan] {
            c.derivativeFactorFloor = bad
            #expect { try c.validate(file: "t.json") } throws: { e in "\(e)".contains("training.derivativeFactorFloor") }
        }
        c = TrainingConfig()
        c.derivativeFactorFloor = 10   // uniform has no factors: the floor would change nothing
        #expect { try c.validate(file: "t.json") } throws: { e in
            "\(e)".contains("training.derivativeFactorFloor") && "\(e)".contains("uniform")
        }
        c = TrainingConfig()
        c.motionStdFloor = 0
        #expect { try c.validate(file: "t.json") } throws: { e in "\(e)".contains("training.motionStdFloor") }
        c = TrainingConfig()
        c.learningRate = .nan
        #expect { try c.validate(file: "t.json") } throws: { e in "\(e)".contains("training.learningRate") }
    }
}
