import Testing

@testable import ProverNetwork

/// The node's lease loop sleeps on a wake-up signal between polls; a shutdown (task
/// cancellation) must end that sleep at once, whatever the poll interval.
@Suite(.timeLimit(.minutes(15)))
struct WakeSignalTests {
    @Test func cancelledWaitReturnsAtOnce() async {
        let signal = Signal()
        let waiting = Task { await signal.wait(timeout: .seconds(3600)) }
        try? await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        waiting.cancel()
        await waiting.value
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func waitAlreadyCancelledReturns() async {
        let signal = Signal()
        let waiting = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await signal.wait(timeout: .seconds(3600))
        }
        await waiting.value
    }

    @Test func fireWakesTheWaiter() async {
        let signal = Signal()
        let waiting = Task { await signal.wait(timeout: .seconds(3600)) }
        try? await Task.sleep(for: .milliseconds(50))
        signal.fire()
        await waiting.value
    }

    @Test func timeoutEndsTheWait() async {
        let start = ContinuousClock.now
        await Signal().wait(timeout: .milliseconds(100))
        #expect(ContinuousClock.now - start >= .milliseconds(100))
    }
}
