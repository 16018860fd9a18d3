// Module EVM: see ../shared/DESIGN.md.
