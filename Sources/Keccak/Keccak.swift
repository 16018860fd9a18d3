// Module Keccak: see ../shared/DESIGN.md.
