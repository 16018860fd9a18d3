// Block guest: validates one block statelessly (StatelessBlockInput, RLP: chain config, parent
// header, block, execution witness) with the project's EVM and commits the parent hash, the
// block hash, the post-state root, the gas used and whether the block is valid (105 bytes).
// Exit code 1: the input could not be decoded; 2: the witness lacks or alters what the block
// needs (no outcome is committed). Each validation step is marked on the debug output
// ("phase:<name>"), so the host can count the cycles of each.
@main
struct BlockGuest {
    static func main() {
        let data = Guest.readInput()
        guard let input = try? StatelessBlockInput.decode(data) else { Guest.exit(1) }
        do {
            let outcome = try input.validate { phase in
                switch phase {
                case .witness: Guest.debug("phase:witness")
                case .header: Guest.debug("phase:header")
                case .signatures: Guest.debug("phase:signatures")
                case .execution: Guest.debug("phase:execution")
                case .stateRoot: Guest.debug("phase:stateRoot")
                }
            }
            Guest.debug("phase:commit")
            Guest.commit(outcome.encoded)
        } catch {
            switch error {
            case .malformed: Guest.exit(1)
            case .witness: Guest.exit(2)
            }
        }
    }
}
