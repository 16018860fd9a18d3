// Module VM: see ../shared/DESIGN.md.
