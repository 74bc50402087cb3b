"""Socket.IO transport: validate a payload, call the engine, store, emit."""
