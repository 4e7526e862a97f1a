import Testing
import Foundation
@testable import A2MTraining

@Suite(.serialized) struct StopSignalTests {
    @Test func sigintAndSigtermBecomeStopRequests() async throws {
        for sig in [SIGINT, SIGTERM] {
            StopSignal.install()
            #expect(StopSignal.requested == nil)
            kill(getpid(), sig)   // process-directed, like Ctrl-C or `kill`
            var waited = 0
            while StopSignal.requested == nil && waited < 500 { try await Task.sleep(nanoseconds: 10_000_000); waited += 1 }
            #expect(StopSignal.requested == sig)
            StopSignal.uninstall()
        }
    }
}
