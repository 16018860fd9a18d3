// Module EVMPrimitives: see ../shared/DESIGN.md.
