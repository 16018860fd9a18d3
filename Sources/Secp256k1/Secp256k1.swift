// Module Secp256k1: see ../shared/DESIGN.md.
