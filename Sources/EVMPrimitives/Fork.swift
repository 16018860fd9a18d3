/// Ethereum protocol upgrades, in activation order.
///
/// The rollup runs on `.osaka`; state tests select a fork by its name.
public enum Fork: Int, Sendable, Comparable, CaseIterable {
    case frontier
    case homestead
    case tangerineWhistle
    case spuriousDragon
    case byzantium
    case constantinople
    case petersburg
    case istanbul
    case berlin
    case london
    case paris
    case shanghai
    case cancun
    case prague
    case osaka

    @inlinable
    public static func < (lhs: Fork, rhs: Fork) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The fork for a name as the Ethereum test fixtures spell it (`"Cancun"`, `"EIP150"`, `"Merge"`, ...).
    public init?(fixtureName name: String) {
        switch name {
        case "Frontier": self = .frontier
        case "Homestead": self = .homestead
        case "EIP150", "TangerineWhistle": self = .tangerineWhistle
        case "EIP158", "SpuriousDragon": self = .spuriousDragon
        case "Byzantium": self = .byzantium
        case "Constantinople": self = .constantinople
        case "ConstantinopleFix", "Petersburg": self = .petersburg
        case "Istanbul": self = .istanbul
        case "Berlin": self = .berlin
        case "London": self = .london
        case "Merge", "Paris": self = .paris
        case "Shanghai": self = .shanghai
        case "Cancun": self = .cancun
        case "Prague": self = .prague
        case "Osaka": self = .osaka
        default: return nil
        }
    }
}
