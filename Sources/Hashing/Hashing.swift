// Module Hashing: see ../shared/DESIGN.md.
