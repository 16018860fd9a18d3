// Module EVMFixtures: see ../shared/DESIGN.md.
