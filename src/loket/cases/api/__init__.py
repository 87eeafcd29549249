"""REST API of the case engine, in three rooms: `schemas` (what comes in and goes
out), `serializers` (cases, events and tasks into those shapes, as much as the
reader may see) and `routers` (the routes, mounted by `loket.api.api`)."""
