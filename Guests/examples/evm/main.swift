// EVM guest: executes one transaction on a pre-state (EVMGuestInput, RLP) with the project's
// EVM and commits the post-state root, the gas used and whether the transaction was valid.
// Exit code 1: the input could not be decoded.
@main
struct EVMGuest {
    static func main() {
        let data = Guest.readInput()
        guard let input = try? EVMGuestInput.decode(data) else { Guest.exit(1) }
        Guest.commit(input.execute().encoded)
    }
}
