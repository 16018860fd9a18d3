// Module Precompiles: see ../shared/DESIGN.md.
