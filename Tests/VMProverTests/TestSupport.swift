import Algebra
import Stark
import VMProver

/// Shared helpers for the VMProver tests: prove honest tables, and check that forged tables are
/// refused by the prover and rejected by the verifier.

/// The configuration every VMProver test proves with (fast, insecure).
let vmTestConfig = StarkConfig<VMField>.testing

/// Proves `tables` with every constraint checked on the trace (so a failure names its table and
/// constraint), then verifies the proof. Throws the prover's or the verifier's error.
func proveAndVerify(_ tables: [TableInput<VMField>]) throws {
    let proof = try StarkProver(config: vmTestConfig).prove(tables, options: ProvingOptions(checkConstraints: true))
    try StarkVerifier(config: vmTestConfig).verify(airs: tables.map(\.air), proof: proof)
}

/// Whether forged `tables` are caught twice over: (1) the prover with its checks on refuses them
/// with `.constraintFailure` or `.unbalancedBuses`, and (2) a proof produced with the checks off
/// (`checkConstraints: false, checkBuses: false`) is rejected by `StarkVerifier.verify`.
/// Any other outcome (the prover accepts, fails for another reason, or the verifier accepts)
/// gives `false`.
func forgedRejected(_ tables: [TableInput<VMField>]) -> Bool {
    let prover = StarkProver(config: vmTestConfig)
    let refused: Bool
    do {
        _ = try prover.prove(tables, options: ProvingOptions(checkConstraints: true))
        refused = false
    } catch .constraintFailure {
        refused = true
    } catch .unbalancedBuses {
        refused = true
    } catch {
        refused = false
    }
    guard refused else { return false }
    let proof: StarkProof<VMField>
    do {
        proof = try prover.prove(tables, options: ProvingOptions(checkConstraints: false, checkBuses: false))
    } catch {
        return false
    }
    do {
        try StarkVerifier(config: vmTestConfig).verify(airs: tables.map(\.air), proof: proof)
        return false
    } catch {
        return true
    }
}
