// Module Stark: see ../shared/DESIGN.md.
